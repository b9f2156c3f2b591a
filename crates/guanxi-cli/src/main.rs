//! The `guanxi` command: ingest articles, query, export and draw the knowledge graph.
//!
//! A thin binary over the library crates: arguments become a validated configuration first,
//! then one function per command runs it. Every fatal error is one line on stderr and a
//! non-zero exit; unreadable article files are skipped, listed and counted, never fatal.

mod bench;
mod commands;
mod graphs;
mod serve;
mod table;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  guanxi build examples/articles
  guanxi ingest ../news/2020 --store output/store
  guanxi query queries/interactions-of-person.rq --format table
  guanxi query --query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
  guanxi export --format turtle --output output/graph.ttl
  guanxi graph --kind person --min-weight 2 --output output/people.dot --render png
  guanxi graph --interactions --since 2020-09 --until 2020-11 --format gexf --output q4.gexf
  guanxi timeline 王毅 --format csv
  guanxi eval --gold gold/dev.jsonl --articles corpus/dev
  guanxi ingest examples/articles --store http://127.0.0.1:7878

The store defaults to output/store; GUANXI_STORE overrides it, --store overrides both.

Remote stores: a --store that starts with http:// or https:// is a SPARQL 1.1 service (ingest,
query, export, graph, timeline). The base URL of Oxigraph's server (`oxigraph serve`) is enough:
queries go to BASE/query?union-default-graph, graphs to BASE/store. For other servers name the
endpoints: --store-query URL (SPARQL 1.1 Protocol; its default graph must be the union of the
named graphs) and --store-gsp URL (Graph Store HTTP Protocol), e.g. for Fuseki:
  --store http://localhost:3030/ds --store-query http://localhost:3030/ds/query --store-gsp http://localhost:3030/ds/data
A remote store keeps no manifest: ingest reads every file each time.";

/// Where the store is: a directory, or a SPARQL 1.1 service.
#[derive(clap::Args, Debug, Clone)]
struct StoreArgs {
    /// Store directory, or the base URL of a SPARQL 1.1 service (http://… or https://…).
    #[arg(long, env = "GUANXI_STORE", default_value = "output/store")]
    store: PathBuf,
    /// Remote store: the SPARQL 1.1 query endpoint (default: STORE/query?union-default-graph).
    #[arg(long, env = "GUANXI_STORE_QUERY", value_name = "URL")]
    store_query: Option<String>,
    /// Remote store: the Graph Store HTTP Protocol endpoint (default: STORE/store).
    #[arg(long, env = "GUANXI_STORE_GSP", value_name = "URL")]
    store_gsp: Option<String>,
}

impl StoreArgs {
    /// The validated location.
    fn location(&self) -> anyhow::Result<commands::Location> {
        let url = self.store.to_str().filter(|s| guanxi_store::is_remote(s));
        match url {
            Some(base) => {
                let mut e = guanxi_store::Endpoints::oxigraph(base);
                if let Some(q) = &self.store_query {
                    e.query = q.clone();
                }
                if let Some(g) = &self.store_gsp {
                    e.gsp = g.clone();
                }
                Ok(commands::Location::Remote(e))
            }
            None if self.store_query.is_some() || self.store_gsp.is_some() => anyhow::bail!(
                "--store-query and --store-gsp name the endpoints of a remote store: give --store http://… too"
            ),
            None => Ok(commands::Location::Dir(self.store.clone())),
        }
    }
}

/// Guanxi (关系): a knowledge graph of who met whom, from Chinese-language news.
#[derive(Parser, Debug)]
#[command(name = "guanxi", version, about, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Read article files or folders (recursively), extract, and write into the store.
    #[command(
        after_help = "Formats are told from content: feed-archive dumps, RSS and Atom feeds (every item), JSON Lines\nand JSON exports, HTML pages, plain text; UTF-8, GB18030/GBK or Big5. Re-ingesting an article\nreplaces its facts; an article seen twice (same URL or same body) is stored once. Unreadable files\nare skipped with a one-line reason each and counted.\n\nExamples:\n  guanxi ingest examples/articles ../more-news --store output/store\n  guanxi ingest examples/articles --store http://127.0.0.1:7878"
    )]
    Ingest {
        /// Article files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
        /// Write every skipped file or item, and every duplicate, to this file as JSON Lines.
        #[arg(long)]
        report: Option<PathBuf>,
        /// Skip files larger than this many bytes.
        #[arg(long, default_value_t = 8 * 1024 * 1024)]
        max_bytes: usize,
        /// Read every file again, even those unchanged since the store took them in (always so
        /// for a remote store).
        #[arg(long)]
        full: bool,
        /// Files read, parsed and extracted at a time, and written to the store in one commit;
        /// memory is bounded by one batch.
        #[arg(long, default_value_t = 512, value_parser = clap::value_parser!(u16).range(1..))]
        batch: u16,
    },
    /// Extract articles to N-Quads on standard output (or --output), with no store: for sharding
    /// extraction over machines and loading the pieces into any store.
    #[command(
        after_help = "Each article's named graph, then the entity descriptions not yet written in this run. The\nmerged interactions are computed by the store that loads them (`guanxi ingest`).\n\nExample:\n  guanxi extract ../news/2020-09 > 2020-09.nq"
    )]
    Extract {
        /// Article files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output file (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Skip files larger than this many bytes.
        #[arg(long, default_value_t = 8 * 1024 * 1024)]
        max_bytes: usize,
        /// Read everything, the slow way: cut every sentence into words, read interactions
        /// in every sentence, run every date pattern. The output is the same as without it;
        /// comparing the two over a corpus checks every shortcut of extraction.
        #[arg(long)]
        exhaustive: bool,
    },
    /// Measure each stage on the same articles (single-threaded): parse, bare jieba-rs
    /// segmentation, extraction, our store loading and Oxigraph's bulk loader; prints a table.
    #[command(after_help = "Example:\n  guanxi bench ../corpus/waimei-2020 --limit 10000")]
    Bench {
        /// Article files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Use only the first N files.
        #[arg(long)]
        limit: Option<usize>,
        /// Run the in-memory stages (parse, cut, extract, map) in this many rounds, each
        /// stage once per round, and report each stage's fastest round, the least disturbed
        /// by other work on the machine, and ratio (a) round by round.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
        repeat: u32,
        /// Skip the two store loads (only the in-memory stages and ratio (a)).
        #[arg(long)]
        no_store: bool,
    },
    /// Run a SPARQL 1.1 query over the store (default graph = union of all graphs).
    #[command(
        after_help = "Examples:\n  guanxi query queries/who-met-whom-most.rq\n  guanxi query --query 'SELECT * WHERE { ?s ?p ?o } LIMIT 5' --format csv"
    )]
    Query {
        /// File holding the query.
        #[arg(required_unless_present = "query", conflicts_with = "query")]
        file: Option<PathBuf>,
        /// The query text.
        #[arg(long)]
        query: Option<String>,
        #[command(flatten)]
        store: StoreArgs,
        /// Output format: table, json, csv, tsv, xml for SELECT/ASK; turtle, ntriples, … for CONSTRUCT/DESCRIBE.
        #[arg(long, default_value = "table")]
        format: String,
    },
    /// Export the whole store as linked data.
    #[command(after_help = "Example:\n  guanxi export --format nquads --output output/graph.nq")]
    Export {
        #[command(flatten)]
        store: StoreArgs,
        /// Serialisation.
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Output file (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Draw a graph projection: entities that co-occur (same sentence, article or interaction),
    /// or the interaction graph; as DOT, GraphML, GEXF or JSON, rendered to SVG or PNG.
    #[command(
        after_help = "Nodes are sized by weighted degree (or PageRank) and coloured by community (Louvain modularity)\nor kind; edges are as wide as their weight. Filters apply to the units before counting.\n\nExamples:\n  guanxi graph --output output/people.dot --render svg\n  guanxi graph --ego 普京 --depth 2 --kind person,organization --output putin.dot --render png\n  guanxi graph --window sentence --weight npmi --min-weight 3 --top 80 --format graphml --output people.graphml\n  guanxi graph --interactions --publisher 联合早报 --since 2020-09 --until 2020-11"
    )]
    Graph {
        #[command(flatten)]
        store: StoreArgs,
        /// Output file (default: standard output).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Serialisation.
        #[arg(long, value_enum, default_value = "dot")]
        format: GraphFormat,
        /// Also render the DOT with Graphviz, beside the --output file.
        #[arg(long, value_enum)]
        render: Option<RenderFormat>,
        #[command(flatten)]
        filters: GraphFilters,
    },
    /// Serve the store over HTTP: the SPARQL 1.1 Protocol at /query, the graph store (read) at
    /// /store, a browser page at /.
    #[command(
        after_help = "Read-only, loopback and CORS-free by default. Updates at /update need --allow-updates and\nGUANXI_UPDATE_TOKEN (sent as `Authorization: Bearer TOKEN`).\n\nExamples:\n  guanxi serve\n  curl -H 'Accept: text/csv' 'http://127.0.0.1:7878/query?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%203'\n  guanxi serve --bind 0.0.0.0:7878 --timeout 10 --max-results 10000 --cors"
    )]
    Serve {
        /// Store directory (a local store: a remote one is served by its own server).
        #[arg(long, env = "GUANXI_STORE", default_value = "output/store")]
        store: PathBuf,
        /// Address and port to listen on.
        #[arg(long, default_value = "127.0.0.1:7878")]
        bind: std::net::SocketAddr,
        /// Seconds a query may run before it is stopped.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Most rows or triples in one response.
        #[arg(long, default_value_t = 100_000)]
        max_results: usize,
        /// Accept SPARQL updates carrying the bearer token GUANXI_UPDATE_TOKEN.
        #[arg(long)]
        allow_updates: bool,
        /// Allow pages from any origin to query (Access-Control-Allow-Origin: *).
        #[arg(long)]
        cors: bool,
    },
    /// The interactions of one actor in date order (undated last), as a table or CSV.
    #[command(
        after_help = "Example:\n  guanxi timeline 拉夫罗夫\n  guanxi timeline Lavrov --format csv"
    )]
    Timeline {
        /// The actor's name (schema:name or any alternate name, exactly).
        name: String,
        #[command(flatten)]
        store: StoreArgs,
        /// table or csv.
        #[arg(long, value_enum, default_value = "table")]
        format: TimelineFormat,
    },
    /// The entities of the store, most mentioned first, with an example sentence; --unknown
    /// keeps the names the gazetteer does not hold, to review and add.
    #[command(
        after_help = "Example:\n  guanxi entities --unknown --kind person --min-articles 3\n  guanxi entities --unknown --format csv --limit 1000 > to-review.csv"
    )]
    Entities {
        /// Only the names the gazetteer does not hold (by name or alias).
        #[arg(long)]
        unknown: bool,
        /// Only this kind.
        #[arg(long, value_enum)]
        kind: Option<EntityKindArg>,
        /// Only entities at least this many articles mention.
        #[arg(long, default_value_t = 1)]
        min_articles: usize,
        /// At most this many rows.
        #[arg(long, default_value_t = 100)]
        limit: usize,
        #[command(flatten)]
        store: StoreArgs,
        /// table or csv.
        #[arg(long, value_enum, default_value = "table")]
        format: TimelineFormat,
    },
    /// Score the extraction against gold annotations (JSON Lines): precision, recall, F1.
    #[command(
        after_help = "Ingests the gold's article files into a store in memory, then compares entities and\ninteractions with the gold: the same definitions as the gold scorer.\n\nExample:\n  guanxi eval --gold gold/dev.jsonl --articles corpus/dev"
    )]
    Eval {
        /// Gold annotations, one JSON object per article.
        #[arg(long)]
        gold: PathBuf,
        /// Folder holding the gold's article files (its `file` fields are relative to it).
        #[arg(long)]
        articles: PathBuf,
        /// Also write every figure as JSON to this file.
        #[arg(long)]
        json: Option<PathBuf>,
        /// Also list every error (missed or spurious entity or pair, wrong date or place), one
        /// per line, grouped by cause under a `# cause: count` line.
        #[arg(long)]
        errors: bool,
    },
    /// Score event resolution against a hand-made gold of reports that give no day: which
    /// event each refers to, or none (attachment precision and recall).
    #[command(
        name = "eval-events",
        after_help = "Example:\n  guanxi eval-events --gold tests/data/events/gold.jsonl --store output/store"
    )]
    EvalEvents {
        /// The event gold, one JSON object per report.
        #[arg(long)]
        gold: PathBuf,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// The main job: ingest into output/store, write output/graph.ttl and output/cooccurrence.dot (and .svg).
    #[command(after_help = "Example:\n  guanxi build examples/articles")]
    Build {
        /// Article files or folders.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output directory.
        #[arg(long, default_value = "output")]
        output_dir: PathBuf,
        #[command(flatten)]
        filters: GraphFilters,
    },
}

/// What a graph projection shows and keeps.
#[derive(clap::Args, Debug, Clone)]
struct GraphFilters {
    /// Which entities are nodes (comma-separated).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "person")]
    kind: Vec<NodeKind>,
    /// What counts as occurring together.
    #[arg(long, value_enum, default_value = "article")]
    window: Window,
    /// The interaction graph: edges are interactions, labelled by type and count.
    #[arg(long)]
    interactions: bool,
    /// Edge weight: shared units, distinct sources, or normalised PMI.
    #[arg(long, value_enum, default_value = "count")]
    weight: WeightArg,
    /// Keep units dated on or after this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    since: Option<String>,
    /// Keep units dated on or before this (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long)]
    until: Option<String>,
    /// Keep units reported by this publisher (its Chinese name, e.g. 联合早报).
    #[arg(long)]
    publisher: Option<String>,
    /// Minimum number of shared units for an edge.
    #[arg(long, default_value_t = 1)]
    min_weight: u32,
    /// Keep at most this many nodes (the most connected).
    #[arg(long, alias = "max-nodes", default_value_t = 150)]
    top: usize,
    /// Keep only this entity (its schema:name) and its neighbourhood.
    #[arg(long, alias = "focus")]
    ego: Option<String>,
    /// Steps from the --ego entity.
    #[arg(long, default_value_t = 1)]
    depth: usize,
    /// Node size.
    #[arg(long, value_enum, default_value = "degree")]
    size_by: SizeArg,
    /// Colour nodes by kind instead of community.
    #[arg(long)]
    color_by_kind: bool,
    /// Graphviz layout engine written into the DOT.
    #[arg(long, value_enum, default_value = "neato")]
    layout: Layout,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Person,
    Organization,
    Place,
    All,
}

/// What counts as occurring together.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    Sentence,
    Article,
    Interaction,
}

impl Window {
    fn name(self) -> &'static str {
        match self {
            Window::Sentence => "sentence",
            Window::Article => "article",
            Window::Interaction => "interaction",
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum WeightArg {
    Count,
    Sources,
    Npmi,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum SizeArg {
    Degree,
    Pagerank,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Dot,
    Neato,
    Sfdp,
    Fdp,
    Circo,
}

impl Layout {
    fn name(self) -> &'static str {
        match self {
            Layout::Dot => "dot",
            Layout::Neato => "neato",
            Layout::Sfdp => "sfdp",
            Layout::Fdp => "fdp",
            Layout::Circo => "circo",
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum GraphFormat {
    Dot,
    Graphml,
    Gexf,
    Json,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum RenderFormat {
    Svg,
    Png,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum EntityKindArg {
    Person,
    Organization,
    Place,
}

impl EntityKindArg {
    /// The schema.org class name.
    fn class(self) -> &'static str {
        match self {
            EntityKindArg::Person => "Person",
            EntityKindArg::Organization => "Organization",
            EntityKindArg::Place => "Place",
        }
    }
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum TimelineFormat {
    Table,
    Csv,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
enum ExportFormat {
    Turtle,
    Ntriples,
    Nquads,
    Trig,
    Jsonld,
    Rdfxml,
}

fn serve_command(
    store: &std::path::Path,
    bind: std::net::SocketAddr,
    timeout: f64,
    max_results: usize,
    allow_updates: bool,
    cors: bool,
) -> anyhow::Result<()> {
    if store.to_str().is_some_and(guanxi_store::is_remote) {
        anyhow::bail!(
            "serve needs a store directory: a remote store ({}) is served by its own server",
            store.display()
        );
    }
    let update_token = if allow_updates {
        match std::env::var("GUANXI_UPDATE_TOKEN") {
            Ok(t) if t.len() >= 16 => Some(t),
            _ => anyhow::bail!(
                "--allow-updates needs GUANXI_UPDATE_TOKEN set to a secret of at least 16 characters"
            ),
        }
    } else {
        None
    };
    if !(timeout > 0.0 && timeout.is_finite()) {
        anyhow::bail!("--timeout must be a positive number of seconds");
    }
    serve::serve(
        store,
        serve::ServeOptions {
            bind,
            timeout: std::time::Duration::from_secs_f64(timeout),
            max_results,
            update_token,
            cors,
        },
    )
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Ingest {
            paths,
            store,
            report,
            max_bytes,
            full,
            batch,
        } => store.location().and_then(|store| {
            commands::ingest(
                &paths,
                &store,
                &commands::IngestOptions {
                    report,
                    max_bytes: Some(max_bytes),
                    full,
                    batch: Some(usize::from(batch)),
                },
            )
            .map(|_| ())
        }),
        Command::Query {
            file,
            query,
            store,
            format,
        } => store
            .location()
            .and_then(|store| commands::query(file.as_deref(), query.as_deref(), &store, &format)),
        Command::Export {
            store,
            format,
            output,
        } => store
            .location()
            .and_then(|store| commands::export(&store, format, output.as_deref())),
        Command::Graph {
            store,
            output,
            format,
            render,
            filters,
        } => store
            .location()
            .and_then(|store| graphs::graph(&store, &filters, format, output.as_deref(), render)),
        Command::Bench {
            paths,
            limit,
            repeat,
            no_store,
        } => bench::bench(&paths, limit, repeat, no_store),
        Command::Extract {
            paths,
            output,
            max_bytes,
            exhaustive,
        } => {
            let options = if exhaustive {
                guanxi_extract::ExtractOptions::exhaustive()
            } else {
                guanxi_extract::ExtractOptions::default()
            };
            commands::extract(&paths, max_bytes, options, output.as_deref())
        }
        Command::Serve {
            store,
            bind,
            timeout,
            max_results,
            allow_updates,
            cors,
        } => serve_command(&store, bind, timeout, max_results, allow_updates, cors),
        Command::Timeline {
            name,
            store,
            format,
        } => store
            .location()
            .and_then(|store| graphs::timeline(&store, &name, format == TimelineFormat::Csv)),
        Command::Entities {
            unknown,
            kind,
            min_articles,
            limit,
            store,
            format,
        } => store.location().and_then(|store| {
            graphs::entities_report(
                &store,
                &graphs::EntityListing {
                    unknown,
                    kind: kind.map(EntityKindArg::class),
                    min_articles,
                    limit,
                    csv: format == TimelineFormat::Csv,
                },
            )
        }),
        Command::Eval {
            gold,
            articles,
            json,
            errors,
        } => commands::eval(&gold, &articles, json.as_deref(), errors),
        Command::EvalEvents { gold, store } => store
            .location()
            .and_then(|store| commands::eval_events(&gold, &store)),
        Command::Build {
            paths,
            output_dir,
            filters,
        } => commands::build(&paths, &output_dir, &filters),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let msg: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("guanxi: error: {}", msg.join(": "));
            ExitCode::FAILURE
        }
    }
}
