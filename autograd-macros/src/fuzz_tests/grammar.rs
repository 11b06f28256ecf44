//! Random, syntactically valid `#[differentiable]` functions: mostly
//! supported code (so the fuzz test exercises the success path, where the
//! output must be valid Rust), with the constructs the macro may reject
//! mixed in (closures, iterator chains, labels, early returns, ...).

use std::fmt::Write as _;

use super::rng::Rng;

/// Variable names: plain, raw, and names the macro itself might use.
const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "d",
    "y",
    "z",
    "t",
    "tmp",
    "acc",
    "s",
    "r#match",
    "r#fn",
    "r#type",
    "r#loop",
    "r#in",
    "r#dyn",
    "forward",
    "grad",
    "vjp",
    "rule",
    "value_and_grad",
    "__ad_d_x",
    "__ad_tmp_mul",
    "__ad_g0",
];
const FN_NAMES: &[&str] = &[
    "f", "loss", "r#match", "r#fn", "forward", "rule", "f2", "_f",
];
const METHODS: &[&str] = &["sin", "cos", "exp", "ln", "sqrt", "tanh", "abs", "sigmoid"];

/// One random function item.
pub fn function(rng: &mut Rng) -> String {
    let generic = rng.chance(20);
    let float = if generic { "A" } else { "f64" };
    let mut g = Gen {
        rng,
        float,
        scopes: vec![Vec::new()],
        ints: vec!["n".into()],
        slice: None,
        fresh: 0,
        loop_depth: 0,
        out: String::new(),
    };
    g.function(generic)
}

struct Var {
    name: String,
    mutable: bool,
}

struct Gen<'r> {
    rng: &'r mut Rng,
    float: &'static str,
    scopes: Vec<Vec<Var>>,
    ints: Vec<String>,
    slice: Option<String>,
    fresh: usize,
    loop_depth: usize,
    out: String,
}

impl Gen<'_> {
    fn function(&mut self, generic: bool) -> String {
        let name = *self.rng.pick(FN_NAMES);
        let f = self.float;
        let x = *self
            .rng
            .pick(&["x", "x", "x", "x", "x", "x", "r#fn", "self_"]);
        let mut params = vec![format!("{x}: {f}")];
        self.declare(x, false);
        if self.rng.chance(50) {
            params.push(format!("y: {f}"));
            self.declare("y", false);
        }
        if self.rng.chance(30) {
            params.push(format!("#[no_grad] k: {f}"));
            self.declare("k", false);
        }
        params.push("n: usize".into());
        if self.rng.chance(40) {
            params.push(format!("v: &[{f}]"));
            self.slice = Some("v".into());
        }
        let generics = if generic { "<A: Float>" } else { "" };
        let _ = write!(
            self.out,
            "fn {name}{generics}({}) -> {f} {{ ",
            params.join(", ")
        );
        let count = self.rng.below(8);
        self.stmts(count, 0);
        let tail = self.expr(2);
        self.out.push_str(&tail);
        self.out.push_str(" }");
        std::mem::take(&mut self.out)
    }

    fn declare(&mut self, name: &str, mutable: bool) {
        if let Some(scope) = self.scopes.last_mut() {
            scope.push(Var {
                name: name.to_owned(),
                mutable,
            });
        }
    }

    fn new_name(&mut self) -> String {
        self.fresh += 1;
        if self.rng.chance(30) {
            (*self.rng.pick(NAMES)).to_owned()
        } else {
            format!("v{}", self.fresh)
        }
    }

    fn var(&mut self) -> String {
        let all: Vec<&Var> = self.scopes.iter().flatten().collect();
        all[self.rng.below(all.len())].name.clone()
    }

    fn mutable(&mut self) -> Option<String> {
        let all: Vec<&Var> = self.scopes.iter().flatten().filter(|v| v.mutable).collect();
        (!all.is_empty()).then(|| all[self.rng.below(all.len())].name.clone())
    }

    fn lit(&mut self) -> String {
        let v = *self.rng.pick(&["2.0", "0.5", "1.0", "3.0", "1e-3"]);
        if self.float == "A" {
            format!("A::from_f64({v})")
        } else {
            v.to_owned()
        }
    }

    fn int(&mut self) -> String {
        let i = self.rng.pick(&self.ints).clone();
        match self.rng.below(4) {
            0 => format!("{i} + 1"),
            1 => "2".into(),
            _ => i,
        }
    }

    fn block(&mut self, count: usize, depth: usize) {
        self.out.push_str("{ ");
        self.scopes.push(Vec::new());
        self.stmts(count, depth + 1);
        self.scopes.pop();
        self.out.push_str("} ");
    }

    fn stmts(&mut self, count: usize, depth: usize) {
        for _ in 0..count {
            self.stmt(depth);
        }
    }

    fn stmt(&mut self, depth: usize) {
        let kinds = if depth >= 3 { 6 } else { 22 };
        match self.rng.below(kinds) {
            0 | 1 => {
                let (name, e) = (self.new_name(), self.expr(2));
                let _ = write!(self.out, "let {name} = {e}; ");
                self.declare(&name, false);
            }
            2 => {
                let (name, e) = (self.new_name(), self.expr(2));
                let _ = write!(self.out, "let mut {name} = {e}; ");
                self.declare(&name, true);
            }
            3 | 4 => match self.mutable() {
                Some(m) => {
                    let op = *self.rng.pick(&["=", "+=", "*=", "-=", "/="]);
                    let e = self.expr(2);
                    let _ = write!(self.out, "{m} {op} {e}; ");
                }
                None => self.stmt(depth),
            },
            5 => {
                let v = self.var();
                let e = self.expr(1);
                let _ = write!(self.out, "let {v} = {v} * {e}; ");
            }
            6 => match self.mutable() {
                Some(m) => {
                    let tmp = self.new_name();
                    let _ = write!(self.out, "let {tmp} = {m}; {m} = {m} * 3.0; ");
                    self.declare(&tmp, false);
                }
                None => self.stmt(depth),
            },
            7 => {
                let (a, b) = (self.new_name(), self.new_name());
                let (e1, e2) = (self.expr(1), self.expr(1));
                let _ = write!(
                    self.out,
                    "let (mut {a}, mut {b}) = ({e1}, {e2}); ({a}, {b}) = ({b}, {a}); "
                );
                self.declare(&a, true);
                self.declare(&b, true);
            }
            8 => {
                let z = self.new_name();
                let c = self.cond();
                let (e1, e2) = (self.expr(2), self.expr(2));
                let _ = write!(
                    self.out,
                    "let {z}; if {c} {{ {z} = {e1}; }} else {{ {z} = {e2}; }} "
                );
                self.declare(&z, false);
            }
            9 => {
                let c = self.cond();
                let _ = write!(self.out, "if {c} ");
                let n = self.rng.range(1, 3);
                self.block(n, depth);
                if self.rng.chance(60) {
                    self.out.push_str("else ");
                    self.block(n, depth);
                }
            }
            10 => {
                let name = self.new_name();
                let (c1, c2) = (self.cond(), self.cond());
                let (e1, e2, e3) = (self.expr(1), self.expr(1), self.expr(1));
                let _ = write!(
                    self.out,
                    "let {name} = if {c1} {{ {e1} }} else if {c2} {{ {e2} }} else {{ {e3} }}; "
                );
                self.declare(&name, false);
            }
            11 => {
                let name = self.new_name();
                let (e1, e2, e3) = (self.expr(1), self.expr(1), self.expr(1));
                let _ = write!(
                    self.out,
                    "let {name} = match n {{ 0 => {e1}, m if m > 2 => {e2}, _ => {e3} }}; "
                );
                self.declare(&name, false);
            }
            kind => self.control(kind, depth),
        }
    }

    /// Loops, labels, early exits and the constructs the macro may reject.
    fn control(&mut self, kind: usize, depth: usize) {
        match kind {
            12 | 13 => self.for_loop(depth),
            14 => {
                let c = format!("c{}", self.fresh);
                self.fresh += 1;
                let kw = if self.rng.chance(50) { "while" } else { "loop" };
                let head = if kw == "while" {
                    format!("while {c} < 3 ")
                } else {
                    "loop ".into()
                };
                let _ = write!(self.out, "let mut {c} = 0; {head}{{ {c} += 1; ");
                if kw == "loop" {
                    let _ = write!(self.out, "if {c} > 2 {{ break; }} ");
                }
                let inner = self.rng.range(1, 2);
                self.loop_depth += 1;
                self.block(inner, depth);
                self.loop_depth -= 1;
                self.out.push_str("} ");
            }
            15 => {
                let (inner, bound) = (self.rng.range(1, 2), self.int());
                let _ = write!(self.out, "'outer: for i in 0..n {{ for j in 0..{bound} {{ if i > j {{ continue 'outer; }} if j > 3 {{ break 'outer; }} ");
                self.loop_depth += 2;
                self.block(inner, depth);
                self.loop_depth -= 2;
                self.out.push_str("} } ");
            }
            16 => {
                let name = self.new_name();
                let (c, e1, e2) = (self.cond(), self.expr(1), self.expr(1));
                let _ = write!(
                    self.out,
                    "let {name} = 'b: {{ if {c} {{ break 'b {e1}; }} {e2} }}; "
                );
                self.declare(&name, false);
            }
            17 => {
                let (c, e) = (self.cond(), self.expr(2));
                let _ = write!(self.out, "if {c} {{ return {e}; }} ");
            }
            18 => {
                let name = self.new_name();
                let f = self.float;
                let e = self.expr(1);
                match self.slice.clone() {
                    Some(v) => {
                        let _ = write!(
                            self.out,
                            "let {name}: {f} = {v}.iter().map(|e| e * {e}).sum(); "
                        );
                    }
                    None => {
                        let _ = write!(self.out, "let g = |t: {f}| t * {e}; let {name} = g({e}); ");
                    }
                }
                self.declare(&name, false);
            }
            19 => {
                let c = self.cond();
                let _ = write!(self.out, "assert!({c}); ");
            }
            20 => {
                let (name, t) = (self.new_name(), format!("t{}", self.fresh));
                let (e1, e2) = (self.expr(2), self.expr(1));
                let _ = write!(self.out, "let {name} = {{ let {t} = {e1}; {t} * {e2} }}; ");
                self.declare(&name, false);
            }
            _ if self.loop_depth > 0 => {
                let c = self.cond();
                let jump = *self.rng.pick(&["break", "continue"]);
                let _ = write!(self.out, "if {c} {{ {jump}; }} ");
            }
            _ => self.stmt(depth),
        }
    }

    fn for_loop(&mut self, depth: usize) {
        let i = format!("i{}", self.fresh);
        self.fresh += 1;
        let range = match (self.rng.below(3), &self.slice) {
            (0, Some(v)) => format!("0..{v}.len()"),
            (1, _) => format!("(0..{}).rev()", self.int()),
            _ => format!("0..{}", self.int()),
        };
        let _ = write!(self.out, "for {i} in {range} ");
        self.ints.push(i);
        self.loop_depth += 1;
        let n = self.rng.range(1, 3);
        self.block(n, depth);
        self.loop_depth -= 1;
        self.ints.pop();
    }

    fn cond(&mut self) -> String {
        match self.rng.below(5) {
            0 => format!("{} > 2", self.int()),
            1 => {
                let (a, b) = (self.cond(), self.cond());
                format!("{a} && {b}")
            }
            2 => format!("!({})", self.cond()),
            _ => {
                let (a, b) = (self.expr(1), self.expr(1));
                let op = *self.rng.pick(&["<", ">", "<=", ">="]);
                format!("{a} {op} {b}")
            }
        }
    }

    fn expr(&mut self, depth: usize) -> String {
        let choice = if depth == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(14)
        };
        match choice {
            0 | 1 => self.var(),
            2 => self.lit(),
            3..=5 => {
                let op = *self.rng.pick(&["+", "-", "*", "/"]);
                let (a, b) = (self.expr(depth - 1), self.expr(depth - 1));
                format!("{a} {op} {b}")
            }
            6 => format!("-({})", self.expr(depth - 1)),
            7 | 8 => {
                let m = *self.rng.pick(METHODS);
                format!("({}).{m}()", self.expr(depth - 1))
            }
            9 => {
                let (a, b) = (self.expr(depth - 1), self.expr(depth - 1));
                let m = *self.rng.pick(&["max", "min", "powf"]);
                format!("({a}).{m}({b})")
            }
            10 => {
                let e = self.expr(depth - 1);
                match self.float {
                    "f64" => format!("f64::sqrt({e}) + ({e}).powi(2)"),
                    _ => format!("({e}).powi(2)"),
                }
            }
            11 => {
                let i = self.int();
                match self.float {
                    "f64" => format!("({i}) as f64"),
                    _ => format!("A::from_usize({i})"),
                }
            }
            12 => match self.slice.clone() {
                Some(v) => format!("{v}[{}]", self.int()),
                None => self.var(),
            },
            _ => {
                let (c, a, b) = (self.cond(), self.expr(depth - 1), self.expr(depth - 1));
                format!("if {c} {{ {a} }} else {{ {b} }}")
            }
        }
    }
}
