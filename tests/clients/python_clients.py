#!/usr/bin/env python3
"""Python SPARQL clients against a running `guanxi serve`: SPARQLWrapper (GET and POST, every
results format, CONSTRUCT as Turtle and RDF/XML) and rdflib's SPARQLStore.

Usage: python_clients.py BASE_URL     (exits non-zero on the first failure)
"""
import sys

from SPARQLWrapper import CSV, JSON, POST, TSV, TURTLE, XML, SPARQLWrapper
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore

base = sys.argv[1].rstrip("/")
endpoint = base + "/query"
PERSONS = """PREFIX schema: <http://schema.org/>
SELECT ?n WHERE { ?p a schema:Person ; schema:name ?n } ORDER BY ?n LIMIT 3"""
CONSTRUCT = """PREFIX schema: <http://schema.org/>
CONSTRUCT { ?p schema:name ?n } WHERE { ?p a schema:Person ; schema:name ?n } LIMIT 5"""


def check(cond, what):
    if not cond:
        sys.exit("FAILED: " + what)
    print("ok:", what)


for method in ("GET", POST):
    w = SPARQLWrapper(endpoint)
    w.setMethod(method)
    w.setQuery(PERSONS)
    w.setReturnFormat(JSON)
    rows = w.query().convert()["results"]["bindings"]
    check([r["n"]["value"] for r in rows][:1] == ["习近平"], f"SPARQLWrapper {method} JSON")
    for fmt, needle in ((XML, "习近平"), (CSV, "习近平"), (TSV, "习近平")):
        w.setReturnFormat(fmt)
        out = w.query().convert()
        text = out.toxml() if hasattr(out, "toxml") else out.decode("utf-8")
        check(needle in text, f"SPARQLWrapper {method} {fmt}")

w = SPARQLWrapper(endpoint)
w.setQuery(CONSTRUCT)
for fmt in (TURTLE, XML):
    w.setReturnFormat(fmt)
    g = w.query().convert()
    if isinstance(g, bytes):
        g = Graph().parse(data=g.decode("utf-8"), format="turtle")
    check(len(g) == 5, f"SPARQLWrapper CONSTRUCT {fmt}")

store = SPARQLStore(endpoint)
names = [str(r[0]) for r in store.query(PERSONS)]
check(names[:1] == ["习近平"], "rdflib SPARQLStore SELECT")
