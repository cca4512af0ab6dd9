//! `sqs-sim explain`: scenario → one traced run → the story (and a picture,
//! the lesson page and whole-run statistics on request).

use super::stdout::{self, outln};
use super::ScenarioArgs;
use crate::engine::SimTime;
use crate::error::{Error, Result};
use crate::explain::lesson::{Lesson, Only};
use crate::explain::picture::{Painter, Waited};
use crate::explain::trace::{PictureTarget, Tracer, Window};
use crate::explain::{self, story};
use crate::model::{ModelConfig, RunOptions};
use crate::report::atomic::write_file;
use crate::report::charts::{render, ImageFormat};
use crate::scenario::Scenario;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// How many receive requests to tell, in the order they reach the queue.
    #[arg(long, default_value_t = 10)]
    pub requests: u32,
    /// The variant to run [default: the first].
    #[arg(long)]
    pub variant: Option<String>,
    /// Seed of the run (the same as replication 0 of `run --seed S`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Override a value: PATH=VALUE (repeatable), as for `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Draw one request to FILE (.svg or .png): the first false empty of the run, or --picture-request.
    #[arg(long, value_name = "FILE")]
    pub picture: Option<PathBuf>,
    /// The request (#number in the story) to draw instead of the first false empty.
    #[arg(long, value_name = "N")]
    pub picture_request: Option<u32>,
    /// Also print whole-run tables: false empties by depth vs theory, and correlation.
    #[arg(long)]
    pub stats: bool,
    /// Write the lesson page to FILE: one frame per request, previous/next, play (self-contained HTML).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Tell the requests from the first one at or after TIME (e.g. 30s, 5m) instead of from the start.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub from: Option<SimTime>,
    /// Show only these requests as frames of the lesson page (and paragraphs of the story).
    #[arg(long, value_enum, value_name = "WHICH")]
    pub only: Option<OnlyChoice>,
    /// Size of the pictures (--picture and the lesson page's): 1 = 1000 px wide, 2 for a slide.
    #[arg(long, value_name = "FACTOR", default_value_t = 1.0, value_parser = parse_scale)]
    pub scale: f64,
    /// Refuse scenarios estimated to need more simulated events than this (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = crate::scenario::guard::DEFAULT_MAX_EVENTS)]
    pub max_events: u64,
    /// Refuse scenarios estimated to hold more live messages than fit in SIZE of memory in one run, e.g. 16G (0 = no limit).
    #[arg(long, value_name = "SIZE", default_value = "4G", value_parser = crate::scenario::guard::parse_size)]
    pub max_memory: u64,
    /// Colour: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OnlyChoice {
    /// The requests that came back falsely empty.
    FalseEmpty,
}

/// `--from`: a duration as scenarios write them.
fn parse_time(s: &str) -> std::result::Result<SimTime, String> {
    crate::scenario::units::duration(&toml::Value::String(s.to_string()))
}

/// `--scale`: a factor between 0.5 and 4.
fn parse_scale(s: &str) -> std::result::Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.5..=4.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "found \"{s}\", expected a number from 0.5 to 4 (1 = pictures 1000 px wide)"
        )),
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

pub fn explain(a: ExplainArgs) -> Result<()> {
    let picture_format = a.picture.as_ref().map(|p| picture_format(p)).transpose()?;
    let (sc, variant, cfg) = load(&a)?;
    if let Some(from) = a.from.filter(|&t| t >= cfg.duration) {
        return Err(Error::Usage(format!(
            "--from {}: the run lasts {}, so no request comes that late",
            story::secs(from),
            story::secs(cfg.duration)
        )));
    }
    let target = a
        .picture_request
        .map_or(PictureTarget::FirstFalseEmpty, PictureTarget::Request);
    let opts = RunOptions {
        timeseries: false,
        max_events: a.max_events,
        ..RunOptions::default()
    };
    let window = Window {
        from: a.from.unwrap_or_default(),
        count: a.requests,
    };
    let (tracer, result) = explain::trace(&cfg, sc.seed, opts, window, target);
    crate::runner::check_finished(&format!("variant \"{variant}\""), &result, a.max_events)?;
    print_story(&a, &sc, &variant, &cfg, &tracer)?;
    outln!(
        "Whole run ({}): {} receives answered, {} false empties ({} from the warm-up on, as summary.csv counts them: {}).",
        story::secs(cfg.duration),
        tracer.receives_served,
        tracer.false_empties.len(),
        tracer.false_empties.iter().filter(|&&t| t >= cfg.warmup).count(),
        result.counters.false_empty_responses
    )?;
    let stats = (a.stats || a.html.is_some()).then(|| explain::depth_stats(&cfg, sc.seed, opts));
    if let (true, Some(s)) = (a.stats, &stats) {
        outln!()?;
        stdout::print(&s.render())?;
    }
    if let (Some(path), Some(format)) = (&a.picture, picture_format) {
        write_picture(&a, &cfg, &tracer, path, format)?;
    }
    if let (Some(path), Some(whole)) = (&a.html, &stats) {
        let lesson = Lesson {
            cfg: &cfg,
            scenario: &sc.name,
            description: &sc.description,
            variant: &variant,
            seed: sc.seed,
            command: command_line(),
            only: only(&a),
            scale: a.scale,
            whole,
        };
        write_file(path, lesson.page(&tracer.entries)?.as_bytes())?;
        eprintln!("lesson page written to {}", path.display());
    }
    Ok(())
}

/// The scenario, the chosen variant's name and its configuration.
fn load(a: &ExplainArgs) -> Result<(Scenario, String, ModelConfig)> {
    let (sc, mut configs) = ScenarioArgs {
        scenario: a.scenario.clone(),
        set: a.set.clone(),
        seed: a.seed,
        replications: None,
        max_events: a.max_events,
        max_memory: a.max_memory,
    }
    .resolve()?;
    let index = match &a.variant {
        None => 0,
        Some(v) => configs
            .iter()
            .position(|r| &r.variant == v)
            .ok_or_else(|| {
                let names: Vec<&str> = configs.iter().map(|r| r.variant.as_str()).collect();
                Error::Usage(format!(
                    "--variant: no variant \"{v}\" in {}; it has: {}",
                    sc.file,
                    names.join(", ")
                ))
            })?,
    };
    let resolved = configs.swap_remove(index);
    // The story names consumers group by group, `count` each; a Lambda
    // mapping's pollers come and go with its scaling.
    if let Some(g) = resolved
        .config
        .consumers
        .iter()
        .find(|g| g.lambda.is_some())
    {
        return Err(Error::Usage(format!(
            "explain tells the story of loop consumers; consumer group \"{}\" is a Lambda event source mapping (kind = \"lambda\"). Run the scenario instead, or explain a variant without it",
            g.name
        )));
    }
    Ok((sc, resolved.variant, resolved.config))
}
fn only(a: &ExplainArgs) -> Only {
    match a.only {
        Some(OnlyChoice::FalseEmpty) => Only::FalseEmpty,
        None => Only::All,
    }
}

/// The heading and the story, on stdout.
fn print_story(
    a: &ExplainArgs,
    sc: &Scenario,
    variant: &str,
    cfg: &ModelConfig,
    tracer: &Tracer,
) -> Result<()> {
    let paint = story::Paint {
        on: match a.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        },
    };
    let q = &cfg.queue;
    outln!(
        "explain: {}, variant \"{}\", seed {}",
        sc.name,
        variant,
        sc.seed
    )?;
    outln!(
        "{} storage nodes; a short poll samples {} of them. Messages are lettered A, B, C… in the order the queue received them.",
        q.nodes,
        q.sample_nodes.min(q.nodes)
    )?;
    let ctx = story::Context { cfg, paint };
    let entries: Vec<_> = match only(a) {
        Only::All => tracer.entries.clone(),
        Only::FalseEmpty => tracer
            .entries
            .iter()
            .filter(|e| explain::trace::is_false_empty(e))
            .cloned()
            .collect(),
    };
    stdout::print_coloured(&story::render(&entries, &ctx))?;
    outln!()?;
    Ok(())
}

/// `--picture`: the run's first false empty (or `--picture-request`).
fn write_picture(
    a: &ExplainArgs,
    cfg: &ModelConfig,
    tracer: &Tracer,
    path: &std::path::Path,
    format: ImageFormat,
) -> Result<()> {
    let Some(scene) = &tracer.picture else {
        return Err(Error::Other(anyhow::anyhow!(
            "no picture written: {} in this run",
            match a.picture_request {
                Some(k) => format!("request #{k} was never answered"),
                None => "no request was a false empty".to_string(),
            }
        )));
    };
    let painter = Painter::new(cfg, a.scale);
    let waited = tracer.picture_since.map_or(Waited::NotAtAll, Waited::Since);
    let pic = painter.served(scene, Some(waited));
    write_file(path, &render(&pic, format)?)?;
    eprintln!(
        "picture of request #{} written to {}",
        scene.request,
        path.display()
    );
    Ok(())
}

/// The command as typed, for the lesson page (`sqs-sim explain …`).
fn command_line() -> String {
    let mut words = vec!["sqs-sim".to_string()];
    for w in std::env::args().skip(1) {
        let plain = !w.is_empty()
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
        words.push(if plain {
            w
        } else {
            format!("'{}'", w.replace('\'', "'\\''"))
        });
    }
    words.join(" ")
}

fn picture_format(p: &std::path::Path) -> Result<ImageFormat> {
    match p.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => Ok(ImageFormat::Svg),
        Some(e) if e.eq_ignore_ascii_case("png") => Ok(ImageFormat::Png),
        _ => Err(Error::Usage(format!(
            "--picture {}: the file name must end in .svg or .png",
            p.display()
        ))),
    }
}
