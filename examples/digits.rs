//! A two-layer MLP on the UCI handwritten digits, trained with the loop a
//! PyTorch user writes every day:
//!
//! ```text
//! cargo run --release --example digits [-- --epochs 30 --plot curves.svg]
//! ```

#[path = "common/digits.rs"]
mod digits;

use std::time::Instant;

use autograd::prelude::*;

fn main() {
    let mut epochs = 30;
    let mut plot = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--epochs" => {
                epochs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--epochs N")
            }
            "--plot" => plot = Some(args.next().expect("--plot FILE.svg")),
            other => panic!("unknown argument {other}; use --epochs N and --plot FILE.svg"),
        }
    }
    let start = Instant::now();
    let data = digits::load(concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv"));
    let (train, test) = digits::split(&data, 42);
    println!(
        "digits: {} training and {} held-out images, batches of 64",
        train.y.len(),
        test.y.len()
    );
    let (model, history) = digits::train(&train, &test, epochs, 7, |epoch, e| {
        println!(
            "epoch {:>3}  train loss {:.4} (per batch) {:.4} (per sample)  held-out accuracy {:.2}%",
            epoch + 1,
            e.loss_per_batch,
            e.loss_per_sample,
            100.0 * e.test_accuracy
        );
    });
    println!(
        "{} parameters, final held-out accuracy {:.2}%, {:.2} s",
        model.num_parameters(),
        100.0 * history.last().map_or(0.0, |e| e.test_accuracy),
        start.elapsed().as_secs_f64()
    );
    if let Some(path) = plot {
        std::fs::write(&path, svg(&history)).expect("write the plot");
        println!("wrote {path}");
    }
}

/// The training loss and the held-out accuracy per epoch, as an SVG line chart.
fn svg(history: &[digits::Epoch]) -> String {
    let (w, h, pad) = (640.0, 360.0, 50.0);
    let n = history.len().max(2) as f64 - 1.0;
    let max_loss = history
        .iter()
        .map(|e| e.loss_per_batch)
        .fold(0.0, f64::max)
        .max(1e-9);
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n;
    let y = |v: f64| h - pad - (h - 2.0 * pad) * v;
    let line = |f: &dyn Fn(&digits::Epoch) -> f64| {
        history
            .iter()
            .enumerate()
            .map(|(i, e)| format!("{:.1},{:.1}", x(i), y(f(e))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let loss = line(&|e| e.loss_per_batch / max_loss);
    let acc = line(&|e| e.test_accuracy);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<line x1="{pad}" y1="{b}" x2="{r}" y2="{b}" stroke="black"/>
<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{b}" stroke="black"/>
<line x1="{r}" y1="{pad}" x2="{r}" y2="{b}" stroke="black"/>
<polyline points="{loss}" fill="none" stroke="#d62728" stroke-width="2"/>
<polyline points="{acc}" fill="none" stroke="#1f77b4" stroke-width="2"/>
<text x="{pad}" y="{t}" fill="#d62728">train loss (0 to {max_loss:.3})</text>
<text x="{r}" y="{t}" fill="#1f77b4" text-anchor="end">held-out accuracy (0 to 100%)</text>
<text x="{mid}" y="{lab}" text-anchor="middle">epoch (1 to {epochs})</text>
</svg>
"##,
        b = h - pad,
        r = w - pad,
        t = pad - 15.0,
        mid = w / 2.0,
        lab = h - 15.0,
        epochs = history.len(),
    )
}
