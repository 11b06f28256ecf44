//! Ordinary numeric Rust around the rules: `std`'s functions of several
//! floats, iterator chains over slices, and closures bound with `let`.

use super::expr::F;
use super::{Gen, Kind, Var};
use crate::fuzz::ast::*;

impl Gen<'_> {
    /// `a.mul_add(b, c)`, `a.hypot(b)`, `a.atan2(b)`, `a.copysign(b)`,
    /// `a.floor()`, `a % c`.
    pub fn std_fn(&mut self, d: u32) -> F {
        self.note(Construct::StdFns);
        let a = self.typed_fexpr(d);
        match self.rng.below(6) {
            0 => {
                let a = self.bounded(a, 30.0);
                let b = self.fexpr(d);
                let b = self.bounded(b, 30.0);
                let c = self.fexpr(d);
                F {
                    mag: a.mag * b.mag + c.mag,
                    e: Expr::method(a.e, "mul_add", vec![b.e, c.e]),
                }
            }
            1 => {
                let b = self.fexpr(d);
                F {
                    mag: a.mag + b.mag,
                    e: Expr::method(a.e, "hypot", vec![b.e]),
                }
            }
            2 => {
                let b = self.fexpr(d);
                F {
                    mag: 3.2,
                    e: Expr::method(a.e, "atan2", vec![b.e]),
                }
            }
            3 => {
                let b = self.fexpr(d);
                F {
                    mag: a.mag,
                    e: Expr::method(a.e, "copysign", vec![b.e]),
                }
            }
            4 => F {
                mag: a.mag + 1.0,
                e: Expr::method(a.e, "floor", vec![]),
            },
            _ => {
                let c = self.literal(0.5, 3.0);
                F {
                    mag: a.mag.min(c),
                    e: Expr::bin(BinOp::Rem, a.e, Expr::lit(c)),
                }
            }
        }
    }

    /// An iterator chain over the visible differentiated slices, if any.
    pub fn chain(&mut self, d: u32) -> Option<F> {
        let slices: Vec<(String, usize, f64)> = self
            .visible()
            .iter()
            .filter_map(|v| match v.kind {
                // Differentiated slices only: a `#[no_grad]` one holds plain floats in the dual version.
                Kind::Slice {
                    len,
                    no_grad: false,
                } => Some((v.name.clone(), len, v.mag)),
                _ => None,
            })
            .collect();
        if slices.is_empty() {
            return None;
        }
        self.note(Construct::Chain);
        let first = self.rng.pick(&slices).clone();
        let mut picked = vec![first];
        if self.rng.chance(0.3) {
            picked.push(self.rng.pick(&slices).clone());
        }
        let mut adapters = Vec::new();
        for _ in 0..self.rng.below(3) {
            adapters.push(match self.rng.below(4) {
                0 => ("rev".to_string(), None),
                1 => ("skip".to_string(), Some(1 + self.rng.below(2) as u64)),
                2 => ("take".to_string(), Some(1 + self.rng.below(4) as u64)),
                _ => ("step_by".to_string(), Some(1 + self.rng.below(3) as u64)),
            });
        }
        self.push_scope();
        let mut vars = Vec::new();
        for (_, _, mag) in &picked {
            let v = self.fresh(&["v", "u", "w"]);
            self.declare(Var::new(&v, Kind::F64, *mag));
            vars.push(v);
        }
        let body = self.fexpr(d.min(2));
        self.pop_scope();
        let len = picked.iter().map(|s| s.1).min().unwrap_or(0) as f64;
        let consumer = *self.rng.pick(&[
            Consumer::Sum,
            Consumer::Sum,
            Consumer::FoldAdd,
            Consumer::FoldMax,
        ]);
        let mag = match consumer {
            Consumer::FoldMax => body.mag,
            _ => body.mag * len.max(1.0),
        };
        Some(F {
            e: Expr::Chain(Box::new(Chain {
                slices: picked.into_iter().map(|s| s.0).collect(),
                vars,
                adapters,
                body: body.e,
                consumer,
            })),
            mag,
        })
    }

    /// `{ let c = |v: f64| body; c(a) + c(b) }`: inlined at each call, the
    /// body reading what it captures.
    pub fn closure(&mut self, d: u32) -> F {
        self.note(Construct::Closure);
        let calls = 1 + self.rng.below(2);
        let args: Vec<F> = (0..calls).map(|_| self.fexpr(d.min(1))).collect();
        let arg_mag = args.iter().map(|a| a.mag).fold(0.0, f64::max);
        self.push_scope();
        let param = self.fresh(&["p", "q"]);
        self.declare(Var::new(&param, Kind::F64, arg_mag));
        let body = self.fexpr(d.min(2));
        self.pop_scope();
        let name = self.fresh(&["sq", "g"]);
        F {
            mag: body.mag * calls as f64,
            e: Expr::Closure {
                name,
                param,
                body: Box::new(body.e),
                args: args.into_iter().map(|a| a.e).collect(),
            },
        }
    }
}
