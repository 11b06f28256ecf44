//! Prints a [`Case`] as Rust: the `#[differentiable]` function under test, its
//! dual twin (the forward-mode oracle) and the `run` function that calls both.
//!
//! Both versions come from one tree, so they perform the same floating-point
//! operations: the dual version differs only in its types (`f64` → `Dual`,
//! tensors → `DT`) and in constant float leaves, which it wraps as `dc(..)`.

use super::ast::*;
use std::fmt::Write;

mod run;
use run::run_fn;

/// Which version of a body to print.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The function under test, over `f64` and `Tensor`.
    Plain,
    /// The oracle, over `Dual` and `DT`.
    Dual,
}

/// A printed case module and where its parts are (1-based, inclusive lines).
#[derive(Clone, Debug)]
pub struct CaseFile {
    pub text: String,
    /// The `#[differentiable]` function, attribute included.
    pub function: (usize, usize),
    /// The dual version.
    pub dual: (usize, usize),
    /// The same body as plain Rust (`f_plain`, no attribute): if it does not
    /// compile, the generator wrote invalid code.
    pub plain: (usize, usize),
}

/// Binding strength of an expression as an operand (higher binds tighter).
fn precedence(e: &Expr, mode: Mode) -> u8 {
    match e {
        Expr::Binary(op, ..) => op.precedence(),
        Expr::Neg(_) | Expr::Not(_) | Expr::Ref(_) | Expr::Deref(_) => 6,
        Expr::Method(..) | Expr::Index(..) | Expr::Chain(_) | Expr::Field(..) => 8,
        Expr::If(..)
        | Expr::Match(..)
        | Expr::Block(_)
        | Expr::Labelled(..)
        | Expr::Else(_)
        | Expr::Closure { .. } => 0,
        Expr::Const(inner) if mode == Mode::Plain => precedence(inner, mode),
        _ => 9,
    }
}

/// The text of a float literal (`{:?}` round-trips and always reads as a float).
pub fn float_lit(v: f64) -> String {
    format!("{v:?}")
}

/// Prints bodies at an indentation level.
pub struct Printer {
    pub mode: Mode,
    indent: usize,
    /// Appended to the names of called helpers (`_dual`, `_plain`).
    pub suffix: &'static str,
}

impl Printer {
    pub fn new(mode: Mode) -> Printer {
        let suffix = match mode {
            Mode::Plain => "",
            Mode::Dual => "_dual",
        };
        Printer {
            mode,
            indent: 1,
            suffix,
        }
    }

    fn pad(&self) -> String {
        "    ".repeat(self.indent)
    }

    /// A type in this mode.
    pub fn ty(&self, t: Ty) -> String {
        let float = match self.mode {
            Mode::Plain => "f64",
            Mode::Dual => "Dual",
        };
        match (t, self.mode) {
            (Ty::F64, _) => float.to_string(),
            (Ty::Scalar, Mode::Plain) => "Scalar<f64>".to_string(),
            (Ty::Scalar, Mode::Dual) => "DT".to_string(),
            (Ty::Pair, _) => format!("({float}, {float})"),
            (Ty::Array(n), _) => format!("[{float}; {n}]"),
        }
    }

    /// A helper's return type in this mode.
    pub fn out(&self, o: &Out) -> String {
        match o {
            Out::F64 => self.ty(Ty::F64),
            Out::Array(n) => self.ty(Ty::Array(*n)),
            Out::Tuple(items) => format!(
                "({})",
                items
                    .iter()
                    .map(|o| self.out(o))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// `e` as an operand that must bind at least as tightly as `min`.
    pub fn expr(&mut self, e: &Expr, min: u8) -> String {
        let text = self.expr_bare(e);
        if precedence(e, self.mode) < min {
            format!("({text})")
        } else {
            text
        }
    }

    fn list(&mut self, items: &[Expr]) -> String {
        items
            .iter()
            .map(|a| self.expr(a, 0))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn expr_bare(&mut self, e: &Expr) -> String {
        match e {
            Expr::Float(v) => float_lit(*v),
            Expr::Int(v) => v.to_string(),
            Expr::Var(n) => n.clone(),
            Expr::Deref(n) => format!("*{n}"),
            Expr::Index(n, i) => format!("{n}[{}]", self.expr(i, 0)),
            Expr::Len(n) => format!("{n}.len()"),
            Expr::Cast(inner) => format!("({} as f64)", self.expr(inner, 7)),
            Expr::Neg(inner) => format!("-{}", self.expr(inner, 7)),
            Expr::Not(inner) => format!("!{}", self.expr(inner, 7)),
            Expr::Ref(inner) => format!("&{}", self.expr(inner, 7)),
            Expr::Binary(op, a, b) => {
                let p = op.precedence();
                let left_min = if p == 3 { 4 } else { p };
                format!(
                    "{} {} {}",
                    self.expr(a, left_min),
                    op.token(),
                    self.expr(b, p + 1)
                )
            }
            Expr::Paren(inner) => format!("({})", self.expr(inner, 0)),
            Expr::Method(recv, name, args) => {
                format!("{}.{name}({})", self.expr(recv, 8), self.list(args))
            }
            Expr::FloatFn(name, args) => {
                let ty = if self.mode == Mode::Plain {
                    "f64"
                } else {
                    "Dual"
                };
                format!("{ty}::{name}({})", self.list(args))
            }
            Expr::Tuple(items) => format!("({})", self.list(items)),
            Expr::Field(recv, k) => format!("{}.{k}", self.expr(recv, 8)),
            Expr::Array(items) => format!("[{}]", self.list(items)),
            Expr::Call(name, args) => {
                let args = self.list(args);
                format!("{name}{}({args})", self.suffix)
            }
            Expr::If(cond, then, els) => {
                let mut s = format!("if {} {}", self.expr(cond, 1), self.block(then));
                if let Some(els) = els {
                    write!(s, " else {}", self.expr_bare(els)).unwrap();
                }
                s
            }
            Expr::Else(b) => self.block(b),
            Expr::Match(scrutinee, arms) => self.match_expr(scrutinee, arms),
            Expr::Block(b) => self.block(b),
            Expr::Labelled(label, b) => format!("'{label}: {}", self.block(b)),
            Expr::Const(inner) => match self.mode {
                Mode::Plain => self.expr_bare(inner),
                Mode::Dual => format!("dc({})", self.expr(inner, 0)),
            },
            Expr::ConstRef(n) => match self.mode {
                Mode::Plain => n.clone(),
                Mode::Dual => format!("dc(*{n})"),
            },
            Expr::Chain(c) => self.chain(c),
            Expr::Closure {
                name,
                param,
                body,
                args,
            } => {
                let ty = self.ty(Ty::F64);
                let body = self.expr(body, 0);
                let calls: Vec<String> = args
                    .iter()
                    .map(|a| format!("{name}({})", self.expr(a, 0)))
                    .collect();
                format!(
                    "{{ let {name} = |{param}: {ty}| {body}; {} }}",
                    calls.join(" + ")
                )
            }
        }
    }

    /// An iterator chain, the same in both versions but for its types.
    fn chain(&mut self, c: &Chain) -> String {
        let ty = self.ty(Ty::F64);
        let mut s = format!("{}.iter().copied()", c.slices[0]);
        if let Some(y) = c.slices.get(1) {
            write!(s, ".zip({y}.iter().copied())").unwrap();
        }
        for (name, arg) in &c.adapters {
            match arg {
                Some(k) => write!(s, ".{name}({k})").unwrap(),
                None => write!(s, ".{name}()").unwrap(),
            }
        }
        let params = if c.vars.len() == 1 {
            c.vars[0].clone()
        } else {
            format!("({})", c.vars.join(", "))
        };
        let body = self.expr(&c.body, 0);
        write!(s, ".map(|{params}| {body})").unwrap();
        let zero = match self.mode {
            Mode::Plain => "0.0",
            Mode::Dual => "dc(0.0)",
        };
        let ninf = match self.mode {
            Mode::Plain => "f64::NEG_INFINITY",
            Mode::Dual => "dc(f64::NEG_INFINITY)",
        };
        match c.consumer {
            Consumer::Sum => write!(s, ".sum::<{ty}>()").unwrap(),
            Consumer::FoldAdd => write!(s, ".fold({zero}, |acc, t| acc + t)").unwrap(),
            Consumer::FoldMax => write!(s, ".fold({ninf}, {ty}::max)").unwrap(),
        }
        s
    }

    fn match_expr(&mut self, scrutinee: &Expr, arms: &[Arm]) -> String {
        let mut s = format!("match {} {{\n", self.expr(scrutinee, 1));
        self.indent += 1;
        for arm in arms {
            let guard = match &arm.guard {
                Some(g) => format!(" if {}", self.expr(g, 0)),
                None => String::new(),
            };
            let body = self.expr(&arm.body, 0);
            let comma = if arm.body.is_block_like() { "" } else { "," };
            writeln!(
                s,
                "{}{}{guard} => {body}{comma}",
                self.pad(),
                match_pat(&arm.pat)
            )
            .unwrap();
        }
        self.indent -= 1;
        write!(s, "{}}}", self.pad()).unwrap();
        s
    }

    /// `{ .. }` spanning lines, its closing brace at the current indentation.
    pub fn block(&mut self, b: &Block) -> String {
        let mut s = String::from("{\n");
        self.indent += 1;
        for stmt in &b.stmts {
            let line = self.stmt(stmt);
            writeln!(s, "{}{line}", self.pad()).unwrap();
        }
        if let Some(tail) = &b.tail {
            let line = self.expr(tail, 0);
            writeln!(s, "{}{line}", self.pad()).unwrap();
        }
        self.indent -= 1;
        write!(s, "{}}}", self.pad()).unwrap();
        s
    }

    fn label(label: &Option<String>) -> String {
        label.as_ref().map_or(String::new(), |l| format!("'{l}: "))
    }

    /// One statement (possibly spanning lines), without leading indentation.
    pub fn stmt(&mut self, s: &Stmt) -> String {
        match s {
            Stmt::Let { pat, ty, init } => {
                let ty = ty.map_or(String::new(), |t| format!(": {}", self.ty(t)));
                let init = init
                    .as_ref()
                    .map_or(String::new(), |e| format!(" = {}", self.expr(e, 0)));
                format!("let {}{ty}{init};", pattern(pat))
            }
            Stmt::Assign { targets, op, rhs } => {
                let place = if targets.len() == 1 {
                    targets[0].clone()
                } else {
                    format!("({})", targets.join(", "))
                };
                let op = match op {
                    AssignOp::Set => "=",
                    AssignOp::Add => "+=",
                    AssignOp::Sub => "-=",
                    AssignOp::Mul => "*=",
                    AssignOp::Div => "/=",
                };
                format!("{place} {op} {};", self.expr(rhs, 0))
            }
            Stmt::Expr(e) if e.is_block_like() => self.expr(e, 0),
            Stmt::Expr(e) => format!("{};", self.expr(e, 0)),
            Stmt::For {
                label,
                pat,
                iter,
                body,
            } => {
                let iter = self.iter(iter);
                format!(
                    "{}for {} in {iter} {}",
                    Printer::label(label),
                    pattern(pat),
                    self.block(body)
                )
            }
            Stmt::While { label, cond, body } => {
                format!(
                    "{}while {} {}",
                    Printer::label(label),
                    self.expr(cond, 1),
                    self.block(body)
                )
            }
            Stmt::Loop { label, body } => {
                format!("{}loop {}", Printer::label(label), self.block(body))
            }
            Stmt::Break { label, value } => {
                let label = label.as_ref().map_or(String::new(), |l| format!(" '{l}"));
                let value = value
                    .as_ref()
                    .map_or(String::new(), |v| format!(" {}", self.expr(v, 0)));
                format!("break{label}{value};")
            }
            Stmt::Continue { label } => {
                format!(
                    "continue{};",
                    label.as_ref().map_or(String::new(), |l| format!(" '{l}"))
                )
            }
            Stmt::Return(e) => format!("return {};", self.expr(e, 0)),
        }
    }

    fn iter(&mut self, it: &Iter) -> String {
        match it {
            Iter::Range(lo, hi) => format!("{}..{}", self.expr(lo, 5), self.expr(hi, 5)),
            Iter::Elements {
                slice, bare: true, ..
            } => slice.clone(),
            Iter::Elements { slice, rev, .. } => {
                format!("{slice}.iter(){}", if *rev { ".rev()" } else { "" })
            }
            Iter::Enumerate(s) => format!("{s}.iter().enumerate()"),
            Iter::Zip(a, b) => format!("{a}.iter().zip({b}.iter())"),
        }
    }
}

fn pattern(p: &Pat) -> String {
    match p {
        Pat::Ident {
            name,
            mutable: true,
        } => format!("mut {name}"),
        Pat::Ident {
            name,
            mutable: false,
        } => name.clone(),
        Pat::Wild => "_".to_string(),
        Pat::Tuple(items) => format!(
            "({})",
            items.iter().map(pattern).collect::<Vec<_>>().join(", ")
        ),
        Pat::Array(items) => format!(
            "[{}]",
            items.iter().map(pattern).collect::<Vec<_>>().join(", ")
        ),
    }
}

fn match_pat(p: &MatchPat) -> String {
    match p {
        MatchPat::Int(vs) => vs
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(" | "),
        MatchPat::Bind(n) => n.clone(),
        MatchPat::Wild => "_".to_string(),
        MatchPat::Tuple(items) => format!(
            "({})",
            items.iter().map(match_pat).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// The signature's parameter list in a mode.
fn params(case: &Case, mode: Mode) -> String {
    let one = |p: &Param| match (p, mode) {
        (
            Param::F64 {
                name,
                no_grad: false,
                ..
            },
            Mode::Plain,
        ) => format!("{name}: f64"),
        (
            Param::F64 {
                name,
                no_grad: false,
                ..
            },
            Mode::Dual,
        ) => format!("{name}: Dual"),
        (
            Param::F64 {
                name,
                no_grad: true,
                ..
            },
            Mode::Plain,
        ) => format!("#[no_grad] {name}: f64"),
        (
            Param::F64 {
                name,
                no_grad: true,
                ..
            },
            Mode::Dual,
        ) => format!("{name}: f64"),
        (Param::Usize { name, .. }, _) => format!("{name}: usize"),
        (Param::Bool { name, .. }, _) => format!("{name}: bool"),
        (
            Param::Slice {
                name,
                no_grad: false,
                ..
            },
            Mode::Plain,
        ) => format!("{name}: &[f64]"),
        (
            Param::Slice {
                name,
                no_grad: false,
                ..
            },
            Mode::Dual,
        ) => format!("{name}: &[Dual]"),
        (
            Param::Slice {
                name,
                no_grad: true,
                ..
            },
            Mode::Plain,
        ) => format!("#[no_grad] {name}: &[f64]"),
        (
            Param::Slice {
                name,
                no_grad: true,
                ..
            },
            Mode::Dual,
        ) => format!("{name}: &[f64]"),
        (Param::Tensor { name, .. }, Mode::Plain) => format!("{name}: &Tensor<f64, Ix1>"),
        (Param::Tensor { name, .. }, Mode::Dual) => format!("{name}: &DT"),
    };
    case.params.iter().map(one).collect::<Vec<_>>().join(", ")
}

/// The function (`f` or `f_dual`) in a mode, starting at column 0, after
/// its helpers (`h0`, or `h0_dual`).
pub fn function(case: &Case, mode: Mode) -> String {
    items(case, mode, false)
}

/// A helper in a mode: `#[differentiable] pub fn h0`, or `h0_dual`, or
/// (with the suffix `_plain`) the plain copy without the attribute.
fn helper_fn(h: &Helper, mode: Mode, suffix: &'static str) -> String {
    let mut p = Printer::new(mode);
    p.indent = 0;
    p.suffix = suffix;
    let ty = p.ty(Ty::F64);
    let params: Vec<String> = h.params.iter().map(|n| format!("{n}: {ty}")).collect();
    let attr = if mode == Mode::Plain && suffix.is_empty() {
        "#[differentiable]\n"
    } else {
        ""
    };
    format!(
        "{attr}pub fn {}{suffix}({}) -> {} {}\n",
        h.name,
        params.join(", "),
        p.out(&h.out),
        p.block(&h.body)
    )
}

/// The helpers and the function in a mode; `copy`: the plain copy
/// (`h0_plain`, `f_plain`, no attributes), whose compiling says the body is valid Rust.
fn items(case: &Case, mode: Mode, copy: bool) -> String {
    let suffix = match (mode, copy) {
        (Mode::Dual, _) => "_dual",
        (Mode::Plain, true) => "_plain",
        (Mode::Plain, false) => "",
    };
    let mut text = String::new();
    for h in &case.helpers {
        text.push_str(&helper_fn(h, mode, suffix));
        text.push('\n');
    }
    let mut p = Printer::new(mode);
    p.indent = 0;
    p.suffix = suffix;
    let ret = match case.ret {
        Ret::F64 => p.ty(Ty::F64),
        Ret::Scalar => p.ty(Ty::Scalar),
    };
    let params = params(case, mode);
    let head = match (mode, copy) {
        (Mode::Plain, false) => format!("#[differentiable]\npub fn f({params}) -> {ret} "),
        (Mode::Plain, true) => format!(
            "pub fn f_plain({}) -> {ret} ",
            params.replace("#[no_grad] ", "")
        ),
        (Mode::Dual, _) => format!("pub fn f_dual({params}) -> {ret} "),
    };
    writeln!(text, "{head}{}", p.block(&case.body)).unwrap();
    text
}

/// The arguments of a call, reading differentiated inputs from `v` (a slice
/// of `f64` or of `Dual`), with the tensor constructor for the mode.
fn call_args(case: &Case, mode: Mode) -> String {
    let mut at = 0;
    let mut args = Vec::new();
    for p in &case.params {
        let w = p.width();
        let arg = match p {
            Param::F64 { no_grad: false, .. } => format!("v[{at}]"),
            Param::F64 { value, .. } => float_lit(*value),
            Param::Usize { value, .. } => value.to_string(),
            Param::Bool { value, .. } => value.to_string(),
            Param::Slice { no_grad: false, .. } => format!("&v[{at}..{}]", at + w),
            Param::Slice { values, .. } => {
                format!(
                    "&[{}]",
                    values
                        .iter()
                        .map(|v| float_lit(*v))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
            Param::Tensor { .. } if mode == Mode::Plain => format!("&t{at}"),
            Param::Tensor { .. } => format!("&DT(v[{at}..{}].to_vec())", at + w),
        };
        args.push(arg);
        at += w;
    }
    args.join(", ")
}

/// `let tK = Tensor::from(..);` for every tensor parameter (plain mode).
fn tensor_lets(case: &Case) -> String {
    let mut at = 0;
    let mut s = String::new();
    for p in &case.params {
        if let Param::Tensor { .. } = p {
            writeln!(
                s,
                "        let t{at} = Tensor::from(Array1::from(v[{at}..{}].to_vec()));",
                at + p.width()
            )
            .unwrap();
        }
        at += p.width();
    }
    s
}

/// A deliberate mistake in a case's `run`, for the harness's control cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    None,
    /// Adds 1e-3 to the first gradient component: the checker must report a wrong gradient.
    Gradient,
    /// Adds 1e-3 to the oracle's first derivative: the checker must suspect the oracle.
    Oracle,
}

/// A module with the body as plain Rust only (no `#[differentiable]`) and its
/// dual version: whether it compiles says whether the body is valid Rust.
pub fn plain_file(case: &Case) -> CaseFile {
    let mut file = case_file(case);
    file.text = file
        .text
        .replace("#[differentiable]\n", "")
        .replace("#[no_grad] ", "");
    let run = file
        .text
        .find("pub fn run() -> Line {")
        .unwrap_or(file.text.len());
    file.text.truncate(run);
    file.text
        .push_str("pub fn run() -> Line {\n    Line::Start(0)\n}\n");
    file
}

/// The whole module file of a case.
pub fn case_file(case: &Case) -> CaseFile {
    case_file_with(case, Tamper::None)
}

/// The module file of a case, with a deliberate mistake in its `run`.
pub fn case_file_with(case: &Case, tamper: Tamper) -> CaseFile {
    let constructs: Vec<String> = case.constructs.iter().map(|c| c.name()).collect();
    let mut text = format!(
        "//! case {}: {}\nuse autograd::ndarray::Array1;\nuse autograd::prelude::*;\nuse crate::dual::*;\nuse crate::harness::{{evaluate_needs, Line}};\n\n",
        case.id,
        constructs.join(" ")
    );
    for (name, values) in &case.consts {
        let vals = values
            .iter()
            .map(|v| float_lit(*v))
            .collect::<Vec<_>>()
            .join(", ");
        writeln!(text, "const {name}: [f64; {}] = [{vals}];", values.len()).unwrap();
    }
    let start = text.lines().count() + 1;
    text.push_str(&function(case, Mode::Plain));
    let function_lines = (start, text.lines().count());
    text.push('\n');
    let start = text.lines().count() + 1;
    text.push_str(&function(case, Mode::Dual));
    let dual_lines = (start, text.lines().count());
    text.push('\n');
    let start = text.lines().count() + 1;
    text.push_str(&items(case, Mode::Plain, true));
    let plain_lines = (start, text.lines().count());
    text.push('\n');
    text.push_str(&run_fn(case, tamper));
    CaseFile {
        text,
        function: function_lines,
        dual: dual_lines,
        plain: plain_lines,
    }
}
