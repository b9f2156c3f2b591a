//! The vocabulary's terms as constants. `ontology/guanxi.ttl` is the source of truth; a test
//! keeps the `gx:` constants here and the declarations there in sync.

/// The Guanxi ontology namespace.
pub const GX: &str = "https://w3id.org/guanxi/ontology#";
/// Base of every resource IRI Guanxi mints.
pub const ID: &str = "https://w3id.org/guanxi/id/";
/// schema.org.
pub const SCHEMA: &str = "http://schema.org/";
/// W3C PROV-O.
pub const PROV: &str = "http://www.w3.org/ns/prov#";
/// OWL.
pub const OWL: &str = "http://www.w3.org/2002/07/owl#";
/// XML Schema datatypes.
pub const XSD: &str = "http://www.w3.org/2001/XMLSchema#";
/// RDF.
pub const RDF_TYPE: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type";
/// Wikidata entities.
pub const WIKIDATA: &str = "http://www.wikidata.org/entity/";

/// Local names of the `gx:` terms the code writes: (local name, is a class).
pub const GX_TERMS: &[(&str, bool)] = &[
    ("Interaction", true),
    ("InteractionReport", true),
    ("Meeting", true),
    ("Talks", true),
    ("PhoneCall", true),
    ("VideoCall", true),
    ("Summit", true),
    ("Visit", true),
    ("OtherInteraction", true),
    ("Status", true),
    ("Evidence", true),
    ("RoleAssignment", true),
    ("Mention", true),
    ("Happened", false),
    ("Planned", false),
    ("Cancelled", false),
    ("TimeReference", true),
    ("RecentPast", false),
    ("PreviousContact", false),
    ("SomePastContact", false),
    ("KnownContact", false),
    ("timeReference", false),
    ("referenceOnly", false),
    ("unscheduled", false),
    ("participant", false),
    ("participantByTitle", false),
    ("reportedType", false),
    ("report", false),
    ("reportCount", false),
    ("sourceCount", false),
    ("mergeReason", false),
    ("ploverType", false),
    ("ploverMode", false),
    ("cameoCode", false),
    ("statedOn", false),
    ("termSource", false),
    ("status", false),
    ("evidence", false),
    ("sentenceText", false),
    ("startOffset", false),
    ("endOffset", false),
    ("triggerText", false),
    ("triggerStart", false),
    ("holder", false),
    ("title", false),
    ("roleOf", false),
    ("former", false),
    ("holdsRole", false),
    ("mentionOf", false),
    ("mentionCount", false),
    ("mentionIndex", false),
    ("surface", false),
    ("sourceFile", false),
    ("bodyHash", false),
];

/// `gx:` + local name.
pub fn gx(local: &str) -> String {
    format!("{GX}{local}")
}

/// `schema:` + local name.
pub fn schema(local: &str) -> String {
    format!("{SCHEMA}{local}")
}
