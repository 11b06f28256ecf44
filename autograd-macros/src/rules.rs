//! The table of operations with derivative rules, as the macro sees them.
//!
//! The macro never knows types: for each operation it knows only the name of
//! the runtime rule trait, which arguments are differentiated operands and
//! which are constants, and what each backward function reads. rustc then
//! picks the rule's implementation for `f64`, `f32`, `Tensor<A, D>` or
//! `Scalar<A>`.

/// Something a backward function reads, in argument order (the output
/// gradient `d` always comes last).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Read {
    /// The value of differentiated operand `i` (0 = receiver or left operand).
    Value(usize),
    /// Only the shape (and type) of operand `i`.
    Meta(usize),
    /// The operation's output.
    Output,
    /// Constant argument `i`.
    Const(usize),
    /// The shapes of all operands, as a slice (variadic rules).
    AllMetas,
    /// The position of the operand whose gradient is computed (variadic rules).
    Position,
}

/// Whether a method argument is differentiated or a constant.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Arg {
    Operand,
    Const,
}

pub struct Rule {
    /// The method or operator name the user writes.
    pub name: &'static str,
    /// The runtime trait, under `rules::`.
    pub trait_name: &'static str,
    /// The arguments after the receiver (methods only).
    pub args: &'static [Arg],
    /// For each differentiated operand, what its backward function reads.
    pub revs: &'static [&'static [Read]],
    /// The backward functions add into the operand's adjoint in place
    /// (`rev0_into(&mut slot, ..)`), as scatters into a slice or tensor do.
    pub into: bool,
    /// The operands come as one slice after the constants
    /// (`fwd(&axis, &[&a, &b])`), as in `concatenate` and `stack`.
    pub variadic: bool,
}

impl Rule {
    /// One of the runtime's elementwise functions (`unary.rs`): one operand,
    /// no other arguments.
    fn is_elementwise(&self) -> bool {
        self.args.is_empty()
            && self.revs.len() == 1
            && !self.into
            && !self.variadic
            && ELEMENTWISE.contains(&self.name)
    }

    /// Whether the rule has `fwd_owned(x, ..)`, which may reuse the buffer of
    /// an operand that nothing else reads.
    pub fn consumes(&self) -> bool {
        matches!(self.name, "reshape" | "add" | "sub" | "mul" | "div") || self.is_elementwise()
    }

    /// Whether backward function `k` has a `revK_owned` twin taking the
    /// output's gradient by value (computed in its buffer, or passed on).
    pub fn takes_owned_gradient(&self, k: usize) -> bool {
        match self.name {
            "add" | "sub" | "mul" => true,
            "div" | "reshape" => k == 0,
            _ => k == 0 && self.is_elementwise(),
        }
    }
}

/// The elementwise functions (one rule each in the runtime's `unary.rs`).
const ELEMENTWISE: &[&str] = &[
    "exp", "exp2", "exp_m1", "sqrt", "cbrt", "tanh", "sigmoid", "relu", "recip", "tan", "ln",
    "log2", "log10", "ln_1p", "sin", "cos", "abs", "asin", "acos", "atan", "sinh", "cosh", "asinh",
    "acosh", "atanh",
];

use Arg::{Const as C, Operand as O};
use Read::{Const, Meta, Output as Out, Value};

macro_rules! rules {
    ($($name:literal => $tr:literal, [$($arg:expr),*], [$([$($read:expr),*]),*] $(, $into:ident)?;)*) => {
        &[$(Rule {
            name: $name,
            trait_name: $tr,
            args: &[$($arg),*],
            revs: &[$(&[$($read),*]),*],
            into: rules!(@into $($into)?),
            variadic: false,
        },)*]
    };
    (@into into) => { true };
    (@into) => { false };
}

/// Binary operators, by the name of their std trait method.
pub const OPERATORS: &[Rule] = rules! {
    "add" => "AddRule", [], [[Meta(0), Meta(1)], [Meta(0), Meta(1)]];
    "sub" => "SubRule", [], [[Meta(0), Meta(1)], [Meta(0), Meta(1)]];
    "mul" => "MulRule", [], [[Meta(0), Value(1)], [Value(0), Meta(1)]];
    "div" => "DivRule", [], [[Meta(0), Value(1)], [Value(0), Value(1)]];
    "neg" => "NegRule", [], [[Meta(0)]];
};

/// Methods with derivative rules.
pub const METHODS: &[Rule] = rules! {
    // Elementwise, the backward reads the output.
    "exp" => "ExpRule", [], [[Out]];
    "exp2" => "Exp2Rule", [], [[Out]];
    "exp_m1" => "ExpM1Rule", [], [[Out]];
    "sqrt" => "SqrtRule", [], [[Out]];
    "cbrt" => "CbrtRule", [], [[Out]];
    "tanh" => "TanhRule", [], [[Out]];
    "sigmoid" => "SigmoidRule", [], [[Out]];
    "relu" => "ReluRule", [], [[Out]];
    "recip" => "RecipRule", [], [[Out]];
    "tan" => "TanRule", [], [[Out]];
    // Elementwise, the backward reads the input.
    "ln" => "LnRule", [], [[Value(0)]];
    "log2" => "Log2Rule", [], [[Value(0)]];
    "log10" => "Log10Rule", [], [[Value(0)]];
    "ln_1p" => "Ln1pRule", [], [[Value(0)]];
    "sin" => "SinRule", [], [[Value(0)]];
    "cos" => "CosRule", [], [[Value(0)]];
    "abs" => "AbsRule", [], [[Value(0)]];
    "asin" => "AsinRule", [], [[Value(0)]];
    "acos" => "AcosRule", [], [[Value(0)]];
    "atan" => "AtanRule", [], [[Value(0)]];
    "sinh" => "SinhRule", [], [[Value(0)]];
    "cosh" => "CoshRule", [], [[Value(0)]];
    "asinh" => "AsinhRule", [], [[Value(0)]];
    "acosh" => "AcoshRule", [], [[Value(0)]];
    "atanh" => "AtanhRule", [], [[Value(0)]];
    // Powers.
    "powi" => "PowiRule", [C], [[Value(0), Const(0)]];
    "powf" => "PowfRule", [O], [[Value(0), Value(1)], [Value(0), Out, Meta(1)]];
    // Reductions.
    "sum" => "SumRule", [], [[Meta(0)]];
    "mean" => "MeanRule", [], [[Meta(0)]];
    "sum_axis" => "SumAxisRule", [C], [[Meta(0), Const(0)]];
    "mean_axis" => "MeanAxisRule", [C], [[Meta(0), Const(0)]];
    // Linear algebra and shapes.
    "matmul" => "MatmulRule", [O], [[Meta(0), Value(1)], [Value(0), Meta(1)]];
    "t" => "TRule", [], [[Meta(0)]];
    "reshape" => "ReshapeRule", [C], [[Meta(0), Const(0)]];
    // Normalisations.
    "softmax" => "SoftmaxRule", [C], [[Out, Const(0)]];
    "log_softmax" => "LogSoftmaxRule", [C], [[Out, Const(0)]];
    "logsumexp" => "LogsumexpRule", [C], [[Value(0), Out, Const(0)]];
    // Indexing and shapes.
    "index_axis" => "IndexAxisRule", [C, C], [[Meta(0), Const(0), Const(1)]], into;
    "slice_axis" => "SliceAxisRule", [C, C], [[Meta(0), Const(0), Const(1)]], into;
    "insert_axis" => "InsertAxisRule", [C], [[Meta(0), Const(0)]];
    "broadcast" => "BroadcastRule", [C], [[Meta(0), Const(0)]];
    // Selections.
    "max_axis" => "MaxAxisRule", [C], [[Value(0), Out, Const(0)]];
    "min_axis" => "MinAxisRule", [C], [[Value(0), Out, Const(0)]];
    "maximum" => "MaximumRule", [O], [[Value(0), Value(1)], [Value(0), Value(1)]];
    "minimum" => "MinimumRule", [O], [[Value(0), Value(1)], [Value(0), Value(1)]];
    "max" => "MaximumRule", [O], [[Value(0), Value(1)], [Value(0), Value(1)]];
    "min" => "MinimumRule", [O], [[Value(0), Value(1)], [Value(0), Value(1)]];
    "clamp" => "ClampRule", [C, C], [[Value(0), Const(0), Const(1)]];
};

/// Rules the lowering chooses itself, not methods users call.
pub const FUSED: &[Rule] = rules! {
    // `a.matmul(&b.t())`, fused so that `b` is never copied.
    "matmul_t" => "MatmulTRule", [O], [[Meta(0), Value(1)], [Value(0), Meta(1)]];
    // `(x * x).sum_axis(axis)`, fused so that the squares are never an array.
    "square_sum_axis" => "SquareSumAxisRule", [C], [[Value(0), Const(0)]];
};

pub fn fused(name: &str) -> Option<&'static Rule> {
    FUSED.iter().find(|r| r.name == name)
}

/// Element reads `x[i]`.
pub const INDEX: &[Rule] = rules! {
    "index" => "IndexRule", [C], [[Meta(0), Const(0)]], into;
};

pub fn index() -> Option<&'static Rule> {
    INDEX.first()
}

/// Methods that read a value without differentiating it: their results are constants.
pub const READERS: &[&str] = &[
    "shape",
    "len",
    "ndim",
    "dim",
    "raw_dim",
    "item",
    "is_empty",
    "data",
    "view",
    "is_requires_grad",
    "is_nan",
    "is_finite",
    "is_infinite",
    "is_sign_positive",
    "is_sign_negative",
    "to_string",
    "partial_cmp",
    "total_cmp",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
];

/// Methods that return their receiver's value unchanged, for gradients.
pub const IDENTITIES: &[&str] = &["clone", "to_owned"];

pub fn method(name: &str) -> Option<&'static Rule> {
    METHODS.iter().find(|r| r.name == name)
}

pub fn operator(name: &str) -> Option<&'static Rule> {
    OPERATORS.iter().find(|r| r.name == name)
}

/// The names of all methods with rules, for error messages.
pub fn method_names() -> String {
    METHODS
        .iter()
        .map(|r| r.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rule of `concatenate(axis, &[&a, &b, ..])` or `stack(axis, &[..])`
/// for `n` parts: each part's gradient is its slice of the output's.
pub fn join(name: &str, n: usize) -> Option<&'static Rule> {
    let (name, trait_name): (&'static str, &'static str) = match name {
        "concatenate" => ("concatenate", "ConcatenateRule"),
        "stack" => ("stack", "StackRule"),
        _ => return None,
    };
    let revs: Vec<&'static [Read]> = (0..n)
        .map(|_| &[Read::Const(0), Read::AllMetas, Read::Position][..])
        .collect();
    // One rule per call site, for the life of the macro's process.
    Some(Box::leak(Box::new(Rule {
        name,
        trait_name,
        args: &[],
        revs: Box::leak(revs.into_boxed_slice()),
        into: false,
        variadic: true,
    })))
}
