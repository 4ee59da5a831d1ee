//! `signpost`: the terminal conversation, one-off answers, and the admin tools.

mod cli;

use anyhow::{Context, Result, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use cli::lines::{Line, Lines, MAX_LINE_BYTES};
use serde::Serialize;
use signpost::assistant::SearchExplanation;
use signpost::feedback::{FeedbackReport, FeedbackStore};
use signpost::hours::FixedClock;
use signpost::knowledge::{self, Date};
use signpost::reply::{Action, Hit, Reply};
use signpost::search::Features;
use signpost::towns::Town;
use signpost::{Assistant, Audience, LiveKnowledge, Turn, eval};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Signposting for people affected by the justice system in Dumfries and Galloway.
#[derive(Parser)]
#[command(name = "signpost", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct KnowledgeArg {
    /// The knowledge folder to answer from.
    #[arg(
        long,
        value_name = "DIR",
        env = "SIGNPOST_KNOWLEDGE",
        default_value = "knowledge"
    )]
    knowledge: PathBuf,
}

#[derive(Args, Clone)]
struct TimeArg {
    /// Answer as if it were this time, to see which lines are open then: e.g.
    /// 2026-03-28T23:00:00Z, 2026-03-28T23:00:00+00:00, or 2026-03-28 23:00 (UK time).
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    at: Option<FixedClock>,
}

#[derive(Subcommand)]
enum Command {
    /// Talk to signpost in the terminal (type quit, or Ctrl-D, to leave).
    Chat {
        #[command(flatten)]
        k: KnowledgeArg,
        /// Do not pick up edits to the knowledge folder while chatting.
        #[arg(long)]
        no_watch: bool,
        #[command(flatten)]
        time: TimeArg,
    },
    /// Answer one question, or one question per line from standard input.
    Ask {
        #[command(flatten)]
        k: KnowledgeArg,
        /// The question; without it, questions are read one per line from standard input.
        question: Option<String>,
        /// Print JSON (one object per question).
        #[arg(long)]
        json: bool,
        /// Answer as if the person had picked this audience from the menu.
        #[arg(long, value_parser = parse_audience)]
        audience: Option<Audience>,
        /// Answer as if the person had said earlier that they live in this town.
        #[arg(long, value_parser = parse_town)]
        town: Option<Town>,
        #[command(flatten)]
        time: TimeArg,
        /// With --json: add what each result's score is made of, and why the answer was or
        /// was not the fallback.
        #[arg(long, requires = "json")]
        explain: bool,
        /// Turn steps of ranking off, to see what each brings: a comma-separated list of
        /// clauses, second-need, learned, lines, scope.
        #[arg(long, value_name = "STEPS", value_parser = parse_features)]
        without: Option<Features>,
    },
    /// Validate a knowledge folder: every problem as path:line:column: error|warning: message.
    Check {
        /// The folder to check (defaults to --knowledge).
        dir: Option<PathBuf>,
        #[command(flatten)]
        k: KnowledgeArg,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Skip the cross-validation of the crisis corpus (a few seconds).
        #[arg(long)]
        quick: bool,
    },
    /// Measure retrieval quality on a question set (hit@1, hit@3, MRR, crisis recall).
    Eval {
        /// The cases file, e.g. ../shared/eval/dev.toml.
        cases: PathBuf,
        #[command(flatten)]
        k: KnowledgeArg,
        /// Exit with status 1 when hit@3 is below this.
        #[arg(long, value_name = "X")]
        min_hit3: Option<f64>,
        /// Print every case, not only the misses.
        #[arg(long, conflicts_with = "quiet")]
        verbose: bool,
        /// Print only the figures, no cases: for sets that must stay untouched.
        #[arg(long)]
        quiet: bool,
        /// Turn steps of ranking off, to measure what each brings: a comma-separated list of
        /// clauses, second-need, learned, lines, scope.
        #[arg(long, value_name = "STEPS", value_parser = parse_features)]
        without: Option<Features>,
    },
    /// List entries by review date, oldest first, marking those due for review.
    Review {
        #[command(flatten)]
        k: KnowledgeArg,
    },
    /// Write a synthetic knowledge folder of N entries, varied from --knowledge, for benchmarks.
    ///
    /// The real entries are kept as they are and variations of them are added (new names,
    /// places, keywords, example questions and reordered bodies) until there are N;
    /// synonyms.toml, safety.toml, menu.toml and the crisis corpus safety/ are copied. The
    /// result passes `signpost check`.
    /// The same arguments always write the same folder.
    Synth {
        /// How many entries to write in all (at least as many as --knowledge holds).
        #[arg(long, value_name = "N")]
        entries: usize,
        /// The folder to write; it must be new or empty.
        dir: PathBuf,
        #[command(flatten)]
        k: KnowledgeArg,
    },
    /// Show the most frequent unanswered questions, from the feedback store or an old gaps file.
    Gaps {
        /// The feedback store, or an old gaps text file (as bots wrote before the store);
        /// default: --db.
        file: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
        /// How many to show.
        #[arg(long, default_value_t = 30)]
        top: usize,
        /// Import an old gaps text file into the store, then rename it to OLD_FILE.imported.
        #[arg(long, value_name = "OLD_FILE")]
        import: Option<PathBuf>,
    },
    /// Report on real use for admins: entries by "Not helpful" share, entries never shown,
    /// unanswered questions, entries due for review, answers and fallbacks per day.
    ///
    /// Reads the feedback store the bots keep when SIGNPOST_FEEDBACK_DB is set: counts per day
    /// only, never a message or a person. Prints the report; --html also writes it as one
    /// self-contained page that opens in any browser, offline.
    Report {
        #[command(flatten)]
        k: KnowledgeArg,
        #[command(flatten)]
        store: StoreArgs,
        /// Write the report as a self-contained HTML page too.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
        /// How many entries and unanswered questions to list.
        #[arg(long, default_value_t = 30)]
        top: usize,
    },
}

#[derive(Args, Clone)]
struct StoreArgs {
    /// The feedback store.
    #[arg(long, value_name = "PATH", env = "SIGNPOST_FEEDBACK_DB")]
    db: Option<PathBuf>,
    /// First day, YYYY-MM-DD (UTC). Default: for `report`, 29 days before --to; for `gaps`,
    /// everything kept.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    from: Option<Date>,
    /// Last day, YYYY-MM-DD (UTC). Default: today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    to: Option<Date>,
}

fn parse_date(s: &str) -> Result<Date, String> {
    Date::parse_iso(s.trim()).ok_or_else(|| format!("`{s}` is not a date written YYYY-MM-DD"))
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn parse_audience(s: &str) -> Result<Audience, String> {
    Audience::parse(s).ok_or_else(|| {
        let all: Vec<&str> = Audience::ALL.iter().map(|a| a.as_str()).collect();
        format!(
            "unknown audience `{s}`; expected one of: {}",
            all.join(", ")
        )
    })
}

fn parse_time(s: &str) -> Result<FixedClock, String> {
    FixedClock::at(s).map_err(|e| e.to_string())
}

fn parse_town(s: &str) -> Result<Town, String> {
    Town::parse(s).ok_or_else(|| {
        format!("`{s}` is not a Dumfries and Galloway town signpost knows (e.g. Dumfries, Stranraer, Castle Douglas)")
    })
}

fn parse_features(s: &str) -> Result<Features, String> {
    Features::without(s).map_err(|unknown| {
        format!("unknown step `{unknown}`; expected some of: clauses, second-need, learned, lines, scope")
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Logs go to standard error and never carry message text.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNPOST_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(io::stderr().is_terminal())
        .try_init();
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Chat { k, no_watch, time } => chat(&k.knowledge, !no_watch, time.at),
        Command::Ask {
            k,
            question,
            json,
            audience,
            town,
            time,
            explain,
            without,
        } => ask(
            &k.knowledge,
            question.as_deref(),
            AskOptions {
                json,
                person: Person { audience, town },
                at: time.at,
                explain,
                features: without.unwrap_or_default(),
            },
        ),
        Command::Check {
            dir,
            k,
            format,
            quick,
        } => check(dir.as_deref().unwrap_or(&k.knowledge), format, quick),
        Command::Eval {
            cases,
            k,
            min_hit3,
            verbose,
            quiet,
            without,
        } => run_eval(
            &k.knowledge,
            &cases,
            min_hit3,
            verbose,
            quiet,
            without.unwrap_or_default(),
        ),
        Command::Review { k } => review(&k.knowledge),
        Command::Synth { entries, dir, k } => synth(&k.knowledge, entries, &dir),
        Command::Gaps {
            file,
            store,
            top,
            import,
        } => match import {
            Some(old) => import_gaps(&old, file.as_deref().or(store.db.as_deref())),
            None => gaps(file.as_deref().or(store.db.as_deref()), &store, top),
        },
        Command::Report {
            k,
            store,
            html,
            top,
        } => report(&k.knowledge, &store, html.as_deref(), top),
    }
}

fn load(dir: &Path) -> Result<Assistant> {
    let (assistant, _report) = Assistant::load(dir)
        .with_context(|| format!("could not load the knowledge folder `{}`", dir.display()))?;
    Ok(assistant)
}

/// What the person has said about themselves, remembered between questions.
struct Person {
    audience: Option<Audience>,
    town: Option<Town>,
}

fn chat(dir: &Path, watch: bool, at: Option<FixedClock>) -> Result<ExitCode> {
    let (live, _) = if watch {
        LiveKnowledge::watch(dir, signpost::live::DEFAULT_DEBOUNCE)
    } else {
        LiveKnowledge::load(dir)
    }
    .with_context(|| format!("could not load the knowledge folder `{}`", dir.display()))?;
    if let Some(clock) = at {
        live.set_clock(Arc::new(clock));
    }
    let stdin = io::stdin();
    let mut stdout = io::stdout();
    let interactive = stdin.is_terminal();
    let mut audience: Option<Audience> = None;
    let mut town: Option<Town> = None;
    let mut last = live.current().welcome();
    writeln!(stdout, "{}", cli::render::text(&last))?;
    writeln!(
        stdout,
        "(Type your question and press Enter. Type quit, or press Ctrl-D, to leave.)"
    )?;
    let mut lines = Lines::new(stdin.lock());
    loop {
        if interactive {
            write!(stdout, "\n> ")?;
            stdout.flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = match line.context("could not read from the terminal")? {
            Line::Text(line) => line,
            Line::TooLong(_) => {
                writeln!(
                    stdout,
                    "\nThat message is too long for me to read. Could you say it in a few words?"
                )?;
                continue;
            }
        };
        let text = line.trim();
        if text.is_empty() {
            continue;
        }
        // What people type to leave a terminal program; never a question to the assistant.
        if ["quit", "exit", "q"]
            .iter()
            .any(|word| text.eq_ignore_ascii_case(word))
        {
            break;
        }
        let assistant = live.current();
        // A number picks one of the options shown last (numbered as shown); any other number
        // is not a question.
        let options = last.buttons();
        let picked = match text.parse::<usize>() {
            Ok(n) => match n.checked_sub(1).and_then(|i| options.get(i)) {
                Some(option) => Some(option.action.clone()),
                None => {
                    writeln!(stdout, "\n{}", cli::render::no_such_option(options.len()))?;
                    continue;
                }
            },
            Err(_) => None,
        };
        let reply = match picked {
            Some(Action::Choose(key)) => {
                let reply = assistant.choose(&key);
                audience = reply.audience.or(audience);
                reply
            }
            Some(action) => assistant.act_in(&action, audience, town),
            None => live.answer(&Turn {
                text,
                audience,
                stage: None,
                town,
            }),
        };
        // A town named once is remembered for the rest of the chat.
        town = reply.town.or(town);
        writeln!(stdout, "\n{}", cli::render::text(&reply))?;
        last = reply;
    }
    writeln!(stdout, "\nTake care. In danger, call 999.")?;
    Ok(ExitCode::SUCCESS)
}

/// The JSON object `ask --json` prints for each question.
#[derive(Serialize)]
struct AskJson<'a> {
    query: &'a str,
    crisis: Vec<String>,
    concern: Vec<String>,
    /// Per crisis or concern category: the level and the layers that found it.
    triage: Vec<signpost::safety::Finding>,
    fallback: bool,
    intent: signpost::reply::Intent,
    results: &'a [Hit],
    reply: &'a Reply,
    #[serde(skip_serializing_if = "Option::is_none")]
    explain: Option<SearchExplanation>,
}

fn ask_json(
    assistant: &Assistant,
    question: &str,
    reply: &Reply,
    explain: Option<SearchExplanation>,
) -> Result<String> {
    Ok(serde_json::to_string(&AskJson {
        query: question,
        crisis: reply.crisis(),
        concern: reply.concern(),
        triage: assistant.triage(question).findings,
        fallback: reply.fallback,
        intent: reply.intent,
        results: &reply.results,
        reply,
        explain,
    })?)
}

/// How `ask` answers and prints.
struct AskOptions {
    json: bool,
    person: Person,
    at: Option<FixedClock>,
    explain: bool,
    features: Features,
}

fn ask(dir: &Path, question: Option<&str>, options: AskOptions) -> Result<ExitCode> {
    let mut assistant = load(dir)?;
    if let Some(clock) = options.at {
        assistant = assistant.with_clock(Arc::new(clock));
    }
    assistant.set_search_features(options.features);
    let AskOptions {
        json,
        person,
        explain,
        ..
    } = options;
    fn turn<'a>(text: &'a str, person: &Person) -> Turn<'a> {
        Turn {
            text,
            audience: person.audience,
            stage: None,
            town: person.town,
        }
    }
    let answer = |q: &str| assistant.answer(&turn(q, &person));
    let explained = |q: &str| explain.then(|| assistant.explain(&turn(q, &person)));
    let mut stdout = io::stdout().lock();
    match question {
        Some(q) => {
            let reply = answer(q);
            if json {
                writeln!(stdout, "{}", ask_json(&assistant, q, &reply, explained(q))?)?;
            } else {
                write!(stdout, "{}", cli::render::text(&reply))?;
            }
        }
        None => {
            // Every input line gets exactly one answer, in order, whatever bytes it holds: a
            // blank line is answered as an empty message, bytes that are not UTF-8 are read as
            // U+FFFD, and a line over MAX_LINE_BYTES gets an error naming its number.
            for (number, line) in (1u64..).zip(Lines::new(io::stdin().lock())) {
                match line.context("could not read a question from standard input")? {
                    Line::Text(line) => {
                        let q = line.trim();
                        let reply = answer(q);
                        if json {
                            writeln!(stdout, "{}", ask_json(&assistant, q, &reply, explained(q))?)?;
                        } else {
                            writeln!(stdout, "> {q}\n{}", cli::render::text(&reply))?;
                        }
                    }
                    Line::TooLong(bytes) => {
                        let error = format!(
                            "line {number} is {bytes} bytes long; a question can be at most {MAX_LINE_BYTES} bytes"
                        );
                        if json {
                            let object = serde_json::json!({ "line": number, "error": error });
                            writeln!(stdout, "{object}")?;
                        } else {
                            writeln!(stdout, "> (line {number} skipped)\n{error}\n")?;
                        }
                    }
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Folds of the crisis corpus's cross-validation in `signpost check`.
const FOLDS: usize = 5;

fn check(dir: &Path, format: Format, quick: bool) -> Result<ExitCode> {
    let report = if quick {
        knowledge::check(dir)
    } else {
        knowledge::check_and_cross_validate(dir, FOLDS)
    }
    .with_context(|| format!("could not check `{}`", dir.display()))?;
    let mut stdout = io::stdout().lock();
    match format {
        Format::Text => {
            for d in &report.diagnostics {
                writeln!(stdout, "{d}")?;
            }
            if let Some(cv) = &report.cross_validation {
                for line in cv.lines() {
                    writeln!(stdout, "{line}")?;
                }
            }
            writeln!(stdout, "{}", report.summary())?;
        }
        Format::Json => {
            #[derive(Serialize)]
            struct CheckJson<'a> {
                #[serde(flatten)]
                report: &'a knowledge::Report,
                errors: usize,
                warnings: usize,
            }
            let out = CheckJson {
                report: &report,
                errors: report.errors(),
                warnings: report.warnings(),
            };
            writeln!(stdout, "{}", serde_json::to_string_pretty(&out)?)?;
        }
    }
    Ok(if report.has_errors() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn run_eval(
    dir: &Path,
    cases: &Path,
    min_hit3: Option<f64>,
    verbose: bool,
    quiet: bool,
    features: Features,
) -> Result<ExitCode> {
    let mut assistant = load(dir)?;
    assistant.set_search_features(features);
    let cases = eval::read_cases(cases)?;
    if cases.is_empty() {
        bail!("the cases file has no [[case]] tables");
    }
    let summary = eval::evaluate(&assistant, &cases);
    let mut stdout = io::stdout().lock();
    for o in summary.outcomes.iter().filter(|_| !quiet) {
        let miss = !o.hit3() || !o.crisis_ok() || !o.fallback_ok();
        if miss || verbose {
            let mut why = Vec::new();
            if !o.hit3() {
                why.push(format!("wanted one of [{}]", o.any.join(", ")));
            }
            if !o.fallback_ok() {
                why.push(if o.fell_back {
                    "fell back but expected an answer".to_string()
                } else {
                    "answered but expected the fallback".to_string()
                });
            }
            if !o.crisis_ok() {
                why.push(format!(
                    "crisis {} but expected {}",
                    if o.flagged { "flagged" } else { "not flagged" },
                    if o.crisis == Some(true) {
                        "flagged"
                    } else {
                        "not flagged"
                    }
                ));
            }
            writeln!(
                stdout,
                "{} {:?}\n     got [{}]{}{}",
                if miss { "MISS" } else { "ok  " },
                o.q,
                o.got.join(", "),
                if why.is_empty() { "" } else { "; " },
                why.join("; ")
            )?;
        }
    }
    for line in summary.intervals() {
        writeln!(stdout, "{line}")?;
    }
    writeln!(stdout, "{}", summary.line())?;
    if let Some(min) = min_hit3
        && summary.hit3 < min
    {
        writeln!(
            stdout,
            "hit@3 {:.3} is below the minimum {min:.3}",
            summary.hit3
        )?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

fn review(dir: &Path) -> Result<ExitCode> {
    let assistant = load(dir)?;
    let entries = assistant.knowledge().by_review_date(Date::today());
    let mut stdout = io::stdout().lock();
    let mut due = 0;
    for (e, stale) in &entries {
        due += usize::from(*stale);
        writeln!(
            stdout,
            "{}  {:<8} {:<40} {}",
            e.reviewed,
            e.kind.as_str(),
            e.id,
            if *stale { "DUE FOR REVIEW" } else { "" }
        )?;
    }
    writeln!(
        stdout,
        "{} entries, {} due for review (over 12 months)",
        entries.len(),
        due
    )?;
    Ok(ExitCode::SUCCESS)
}

fn synth(source: &Path, entries: usize, dir: &Path) -> Result<ExitCode> {
    let written = signpost::synth::generate(source, entries, dir).with_context(|| {
        format!(
            "could not write a synthetic folder of {entries} entries to `{}` from `{}`",
            dir.display(),
            source.display()
        )
    })?;
    println!(
        "wrote {} entries ({} services, {} topics; {} copied from `{}`) to `{}`",
        written.entries,
        written.services,
        written.topics,
        written.copied,
        source.display(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Whether a file is an SQLite database (by its 16-byte header).
fn is_sqlite(path: &Path) -> bool {
    use std::io::Read;
    let mut header = [0u8; 16];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut header))
        .is_ok()
        && &header == b"SQLite format 3\0"
}

fn gaps(file: Option<&Path>, range: &StoreArgs, top: usize) -> Result<ExitCode> {
    let Some(file) = file else {
        bail!("name the feedback store: `signpost gaps --db PATH`, or set SIGNPOST_FEEDBACK_DB");
    };
    let counts: Vec<(String, u64)> = if file.exists() && !is_sqlite(file) {
        // An old gaps file, one `date<TAB>words` line per question.
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("could not read the gaps file `{}`", file.display()))?;
        signpost::gaps::summarise(&text)
            .into_iter()
            .map(|(w, n)| (w, n as u64))
            .collect()
    } else {
        match FeedbackStore::open_read_only(file)? {
            Some(store) => store.unanswered(
                range.from.unwrap_or(Date::from_days(0)),
                range.to.unwrap_or(Date::today()),
            )?,
            None => {
                println!(
                    "No feedback store at `{}` yet: it is created when a bot starts with \
                     SIGNPOST_FEEDBACK_DB set.",
                    file.display()
                );
                Vec::new()
            }
        }
    };
    let total: u64 = counts.iter().map(|(_, c)| c).sum();
    let mut stdout = io::stdout().lock();
    for (words, count) in counts.iter().take(top) {
        writeln!(stdout, "{count:>5}  {words}")?;
    }
    writeln!(
        stdout,
        "{total} unanswered question(s), {} different; add entries or example questions for the most frequent",
        counts.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn import_gaps(old: &Path, store: Option<&Path>) -> Result<ExitCode> {
    let Some(store_path) = store else {
        bail!(
            "name the feedback store to import into: `signpost gaps --import OLD_FILE --db PATH`"
        );
    };
    if is_sqlite(old) {
        bail!(
            "`{}` is already an SQLite file, not an old gaps text file",
            old.display()
        );
    }
    let text = std::fs::read_to_string(old)
        .with_context(|| format!("could not read the gaps file `{}`", old.display()))?;
    let (rows, skipped) = signpost::gaps::read_old_file(&text);
    // The retention period applies when a bot opens the store; importing keeps everything.
    let store = FeedbackStore::open_keeping_everything(store_path)?;
    let imported = store.import_unanswered(&rows)?;
    let renamed = old.with_extension(match old.extension() {
        Some(ext) => format!("{}.imported", ext.to_string_lossy()),
        None => "imported".into(),
    });
    std::fs::rename(old, &renamed).with_context(|| {
        format!(
            "imported {imported} question(s), but could not rename `{}` to `{}`: rename or delete \
             it yourself so it is not imported twice",
            old.display(),
            renamed.display()
        )
    })?;
    println!(
        "imported {imported} unanswered question(s) from `{}` into `{}`{}; the old file is now `{}` \
         (delete it when you like)",
        old.display(),
        store_path.display(),
        if skipped > 0 {
            format!(" ({skipped} line(s) without a date left out)")
        } else {
            String::new()
        },
        renamed.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn report(dir: &Path, range: &StoreArgs, html: Option<&Path>, top: usize) -> Result<ExitCode> {
    let assistant = load(dir)?;
    let to = range.to.unwrap_or_else(Date::today);
    let from = range.from.unwrap_or(to.plus_days(-29));
    if from > to {
        bail!("--from {from} is after --to {to}");
    }
    if to.to_days() - from.to_days() >= signpost::feedback::report::MAX_DAYS {
        bail!(
            "a report covers at most {} days; {from} to {to} is longer",
            signpost::feedback::report::MAX_DAYS
        );
    }
    let (store, note) = match &range.db {
        None => (
            None,
            Some(
                "No feedback store given (--db PATH, or SIGNPOST_FEEDBACK_DB): the report is empty."
                    .to_string(),
            ),
        ),
        Some(path) => match FeedbackStore::open_read_only(path)? {
            Some(store) => (Some(store), None),
            None => (
                None,
                Some(format!(
                    "No feedback store at `{}` yet: it is created when a bot starts with \
                     SIGNPOST_FEEDBACK_DB set. The report is empty.",
                    path.display()
                )),
            ),
        },
    };
    let report = FeedbackReport::gather(store.as_ref(), assistant.knowledge(), from, to)?;
    let limits = cli::report::Limits {
        rated: top,
        unanswered: top,
    };
    let mut stdout = io::stdout().lock();
    if let Some(note) = &note {
        writeln!(stdout, "{note}")?;
    }
    write!(stdout, "{}", cli::report::text(&report, limits))?;
    if let Some(file) = html {
        let page = cli::report::html(&report, limits, note.as_deref(), &Date::today().to_string());
        std::fs::write(file, page)
            .with_context(|| format!("could not write the HTML report to `{}`", file.display()))?;
        writeln!(stdout, "\nHTML report written to `{}`", file.display())?;
    }
    Ok(ExitCode::SUCCESS)
}
