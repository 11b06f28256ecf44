//! The operations with derivative rules, as the macro sees them: one line
//! each.
//!
//! The macro never knows types: for each operation it knows the name of the
//! runtime's rule trait, which arguments are differentiated operands and
//! which are constants, what each backward function reads, and what the
//! rule can do besides (its capabilities). rustc then picks the rule's
//! implementation for `f64`, `f32`, `Tensor<A, D>` or `Scalar<A>`.
//!
//! Each line mirrors a declaration that stands beside the rule in the
//! runtime (`autograd_runtime::ops::declarations()`); the test
//! `tests/op_table.rs` fails when the two disagree. To add an operation:
//! write its rule and declaration in the runtime (see `ops/mod.rs` there),
//! then add its line here.

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

/// What a rule can do besides `fwd` and `revK`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Caps {
    /// Elementwise: one operand, the output has its shape.
    pub elementwise: bool,
    /// `fwd_owned(x, ..)` computes in the buffer of an operand nothing else reads.
    pub consumes: bool,
    /// Bit `k`: `revK_owned` takes the output's gradient by value.
    pub owned_grad: u8,
    /// `revs_owned(.., d, needs)` gives both gradients from one owned `d`.
    pub both_owned: bool,
    /// The backward functions add into the operand's gradient in place
    /// (`revK_into(&mut slot, ..)`), as scatters into a slice or tensor do.
    pub into: bool,
    /// The operands come as one slice after the constants
    /// (`fwd(&axis, &[&a, &b])`), and `rev(.., k, d)` gives part `k`'s gradient.
    pub variadic: bool,
    /// A cheap view of its operand (`index_axis`, `t`): the backward may
    /// take it again instead of keeping it.
    pub view: bool,
    /// Bit `k`: operand `k`'s gradient is the output's, unchanged (`+`, the
    /// left side of `-`): what reduction loops are made of.
    pub passes: u8,
    /// `rev0_taking(x, ..)` takes the kept operand by value and computes
    /// its gradient in its buffer.
    pub takes_operand: bool,
}

const NONE: Caps = Caps {
    elementwise: false,
    consumes: false,
    owned_grad: 0,
    both_owned: false,
    into: false,
    variadic: false,
    view: false,
    passes: 0,
    takes_operand: false,
};

/// Forms the lowering recognises around an operation.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Fusion {
    None,
    /// `a.op(&b.t())`: the named rule reads `b` untransposed.
    TransposedArg(&'static str),
    /// `(x * x).op(..)`: the named rule never builds the squares.
    SquaredReceiver(&'static str),
    /// `x op x`, the same value on both sides: `Rule::rev_twice_owned(x, d)`.
    SameOperands(&'static str),
}

pub struct OpEntry {
    /// What the user writes: a method name, or the std trait method of an
    /// operator (`add`); fused and built-in forms have names of their own.
    pub name: &'static str,
    /// The runtime trait, under `rules::`.
    pub rule: &'static str,
    /// The arguments after the receiver (methods only).
    pub args: &'static [Arg],
    /// For each differentiated operand, what its backward function reads
    /// (variadic rules: one entry, for every part).
    pub reads: &'static [&'static [Read]],
    pub caps: Caps,
    pub fusion: Fusion,
}

impl OpEntry {
    /// Whether `revK_owned` exists.
    pub fn owned_grad(&self, k: usize) -> bool {
        k < 8 && self.caps.owned_grad & (1 << k) != 0
    }

    /// Whether operand `k`'s gradient is the output's unchanged.
    pub fn passes(&self, k: usize) -> bool {
        k < 8 && self.caps.passes & (1 << k) != 0
    }

    /// What the backward function of operand `k` reads.
    pub fn reads_of(&self, k: usize) -> &'static [Read] {
        if self.caps.variadic {
            self.reads[0]
        } else {
            self.reads.get(k).copied().unwrap_or(&[])
        }
    }

    /// How many differentiated operands have backward functions (variadic:
    /// any number).
    pub fn has_rev(&self, k: usize) -> bool {
        self.caps.variadic || k < self.reads.len()
    }
}

use Arg::{Const as C, Operand as O};
use Read::{AllMetas, Const, Meta, Output as Out, Position, Value};

const fn op(
    name: &'static str,
    rule: &'static str,
    args: &'static [Arg],
    reads: &'static [&'static [Read]],
    caps: Caps,
) -> OpEntry {
    OpEntry {
        name,
        rule,
        args,
        reads,
        caps,
        fusion: Fusion::None,
    }
}

const fn fused(mut e: OpEntry, fusion: Fusion) -> OpEntry {
    e.fusion = fusion;
    e
}

/// An elementwise function of one operand whose backward reads `read`.
const fn elementwise(name: &'static str, rule: &'static str, reads: &'static [Read]) -> OpEntry {
    let caps = Caps {
        elementwise: true,
        consumes: true,
        owned_grad: 0b1,
        ..NONE
    };
    match reads {
        [Out] => op(name, rule, &[], &[&[Out]], caps),
        _ => op(name, rule, &[], &[&[Value(0)]], caps),
    }
}

const OUT: &[Read] = &[Out];
const INPUT: &[Read] = &[Value(0)];

const ARITH: Caps = Caps {
    consumes: true,
    ..NONE
};

/// Every operation, one line each.
pub static OPS: &[OpEntry] = &[
    // Operators (by their std trait method).
    op(
        "add",
        "AddRule",
        &[],
        &[&[Meta(0), Meta(1)], &[Meta(0), Meta(1)]],
        Caps {
            owned_grad: 0b11,
            both_owned: true,
            passes: 0b11,
            ..ARITH
        },
    ),
    op(
        "sub",
        "SubRule",
        &[],
        &[&[Meta(0), Meta(1)], &[Meta(0), Meta(1)]],
        Caps {
            owned_grad: 0b11,
            both_owned: true,
            passes: 0b01,
            ..ARITH
        },
    ),
    fused(
        op(
            "mul",
            "MulRule",
            &[],
            &[&[Meta(0), Value(1)], &[Value(0), Meta(1)]],
            Caps {
                owned_grad: 0b11,
                ..ARITH
            },
        ),
        Fusion::SameOperands("SquareRule"),
    ),
    op(
        "div",
        "DivRule",
        &[],
        &[&[Meta(0), Value(1)], &[Value(0), Value(1)]],
        Caps {
            owned_grad: 0b01,
            ..ARITH
        },
    ),
    op("neg", "NegRule", &[], &[&[Meta(0)]], NONE),
    // Elementwise, the backward reads the output.
    elementwise("exp", "ExpRule", OUT),
    elementwise("exp2", "Exp2Rule", OUT),
    elementwise("exp_m1", "ExpM1Rule", OUT),
    elementwise("sqrt", "SqrtRule", OUT),
    elementwise("cbrt", "CbrtRule", OUT),
    elementwise("tanh", "TanhRule", OUT),
    elementwise("sigmoid", "SigmoidRule", OUT),
    elementwise("relu", "ReluRule", OUT),
    elementwise("recip", "RecipRule", OUT),
    elementwise("tan", "TanRule", OUT),
    // Elementwise, the backward reads the input.
    elementwise("ln", "LnRule", INPUT),
    elementwise("log2", "Log2Rule", INPUT),
    elementwise("log10", "Log10Rule", INPUT),
    elementwise("ln_1p", "Ln1pRule", INPUT),
    elementwise("sin", "SinRule", INPUT),
    elementwise("cos", "CosRule", INPUT),
    elementwise("abs", "AbsRule", INPUT),
    elementwise("asin", "AsinRule", INPUT),
    elementwise("acos", "AcosRule", INPUT),
    elementwise("atan", "AtanRule", INPUT),
    elementwise("sinh", "SinhRule", INPUT),
    elementwise("cosh", "CoshRule", INPUT),
    elementwise("asinh", "AsinhRule", INPUT),
    elementwise("acosh", "AcoshRule", INPUT),
    elementwise("atanh", "AtanhRule", INPUT),
    // Powers.
    op("powi", "PowiRule", &[C], &[&[Value(0), Const(0)]], NONE),
    op(
        "powf",
        "PowfRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Out, Meta(1)]],
        NONE,
    ),
    // Reductions.
    op("sum", "SumRule", &[], &[&[Meta(0)]], NONE),
    op("mean", "MeanRule", &[], &[&[Meta(0)]], NONE),
    op("item", "ItemRule", &[], &[&[Meta(0)]], NONE),
    fused(
        op(
            "sum_axis",
            "SumAxisRule",
            &[C],
            &[&[Meta(0), Const(0)]],
            NONE,
        ),
        Fusion::SquaredReceiver("square_sum_axis"),
    ),
    op(
        "mean_axis",
        "MeanAxisRule",
        &[C],
        &[&[Meta(0), Const(0)]],
        NONE,
    ),
    // Linear algebra and shapes.
    fused(
        op(
            "matmul",
            "MatmulRule",
            &[O],
            &[&[Meta(0), Value(1)], &[Value(0), Meta(1)]],
            NONE,
        ),
        Fusion::TransposedArg("matmul_t"),
    ),
    op(
        "t",
        "TRule",
        &[],
        &[&[Meta(0)]],
        Caps { view: true, ..NONE },
    ),
    op(
        "reshape",
        "ReshapeRule",
        &[C],
        &[&[Meta(0), Const(0)]],
        Caps {
            consumes: true,
            owned_grad: 0b1,
            ..NONE
        },
    ),
    // Normalisations.
    op("softmax", "SoftmaxRule", &[C], &[&[Out, Const(0)]], NONE),
    op(
        "log_softmax",
        "LogSoftmaxRule",
        &[C],
        &[&[Out, Const(0)]],
        NONE,
    ),
    op(
        "logsumexp",
        "LogsumexpRule",
        &[C],
        &[&[Value(0), Out, Const(0)]],
        NONE,
    ),
    // Indexing and shapes.
    op(
        "index_axis",
        "IndexAxisRule",
        &[C, C],
        &[&[Meta(0), Const(0), Const(1)]],
        Caps {
            into: true,
            view: true,
            ..NONE
        },
    ),
    op(
        "slice_axis",
        "SliceAxisRule",
        &[C, C],
        &[&[Meta(0), Const(0), Const(1)]],
        Caps {
            into: true,
            view: true,
            ..NONE
        },
    ),
    op(
        "insert_axis",
        "InsertAxisRule",
        &[C],
        &[&[Meta(0), Const(0)]],
        Caps { view: true, ..NONE },
    ),
    op(
        "broadcast",
        "BroadcastRule",
        &[C],
        &[&[Meta(0), Const(0)]],
        NONE,
    ),
    // Selections.
    op(
        "max_axis",
        "MaxAxisRule",
        &[C],
        &[&[Value(0), Out, Const(0)]],
        NONE,
    ),
    op(
        "min_axis",
        "MinAxisRule",
        &[C],
        &[&[Value(0), Out, Const(0)]],
        NONE,
    ),
    op(
        "maximum",
        "MaximumRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    op(
        "minimum",
        "MinimumRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    op(
        "max",
        "MaximumRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    op(
        "min",
        "MinimumRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    op(
        "clamp",
        "ClampRule",
        &[C, C],
        &[&[Value(0), Const(0), Const(1)]],
        NONE,
    ),
    // Functions of several floats.
    op(
        "mul_add",
        "MulAddRule",
        &[O, O],
        &[&[Value(1)], &[Value(0)], &[Meta(2)]],
        NONE,
    ),
    op(
        "hypot",
        "HypotRule",
        &[O],
        &[&[Value(0), Meta(1), Out], &[Meta(0), Value(1), Out]],
        NONE,
    ),
    op(
        "atan2",
        "Atan2Rule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    // The sign's derivative is 0: it has no backward function.
    op(
        "copysign",
        "CopysignRule",
        &[O],
        &[&[Value(0), Meta(1), Out]],
        NONE,
    ),
    op(
        "rem_euclid",
        "RemEuclidRule",
        &[O],
        &[&[Meta(0), Meta(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    // `x % m` on floats.
    op(
        "rem",
        "RemRule",
        &[],
        &[&[Meta(0), Meta(1)], &[Value(0), Value(1)]],
        NONE,
    ),
    op(
        "log",
        "LogRule",
        &[O],
        &[&[Value(0), Value(1)], &[Value(1), Out]],
        NONE,
    ),
    op("to_degrees", "ToDegreesRule", &[], &[&[Meta(0)]], NONE),
    op("to_radians", "ToRadiansRule", &[], &[&[Meta(0)]], NONE),
    // `x as f32`, `f64::from(x)`: the constant is the target type's `PhantomData`.
    op("cast", "CastRule", &[C], &[&[Meta(0), Const(0)]], NONE),
    // Forms the lowering chooses: fused, element reads, joins.
    op(
        "matmul_t",
        "MatmulTRule",
        &[O],
        &[&[Meta(0), Value(1)], &[Value(0), Meta(1)]],
        NONE,
    ),
    op(
        "square_sum_axis",
        "SquareSumAxisRule",
        &[C],
        &[&[Value(0), Const(0)]],
        Caps {
            takes_operand: true,
            ..NONE
        },
    ),
    op(
        "index",
        "IndexRule",
        &[C],
        &[&[Meta(0), Const(0)]],
        Caps { into: true, ..NONE },
    ),
    op(
        "concatenate",
        "ConcatenateRule",
        &[],
        &[&[Const(0), AllMetas, Position]],
        Caps {
            variadic: true,
            ..NONE
        },
    ),
    op(
        "stack",
        "StackRule",
        &[],
        &[&[Const(0), AllMetas, Position]],
        Caps {
            variadic: true,
            ..NONE
        },
    ), // Tuples and arrays: `(a, b)`, `t.0`, `[a, b]`.
    op("tuple2", "Tuple2Rule", &[], &[M2, M2], NONE),
    op("tuple3", "Tuple3Rule", &[], &[M3, M3, M3], NONE),
    op("tuple4", "Tuple4Rule", &[], &[M4, M4, M4, M4], NONE),
    op("part0", "Part0Rule", &[], &[&[Meta(0)]], PART),
    op("part1", "Part1Rule", &[], &[&[Meta(0)]], PART),
    op("part2", "Part2Rule", &[], &[&[Meta(0)]], PART),
    op("part3", "Part3Rule", &[], &[&[Meta(0)]], PART),
    op("tuple5", "Tuple5Rule", &[], &[M5; 5], NONE),
    op("tuple6", "Tuple6Rule", &[], &[M6; 6], NONE),
    op("tuple7", "Tuple7Rule", &[], &[M7; 7], NONE),
    op("tuple8", "Tuple8Rule", &[], &[M8; 8], NONE),
    op("part4", "Part4Rule", &[], &[&[Meta(0)]], PART),
    op("part5", "Part5Rule", &[], &[&[Meta(0)]], PART),
    op("part6", "Part6Rule", &[], &[&[Meta(0)]], PART),
    op("part7", "Part7Rule", &[], &[&[Meta(0)]], PART),
    op(
        "array",
        "ArrayRule",
        &[],
        &[&[Position]],
        Caps {
            variadic: true,
            ..NONE
        },
    ),
    // Element updates: `v.push(e)`, `v[i] = e`, `v[i] += e`.
    op("push", "PushRule", &[], &[M2, M2], UPDATE),
    op("set", "SetRule", &[C], &[M2C, M2C], UPDATE),
    op("add_at", "AddAtRule", &[C], &[M2C, M2C], UPDATE),
    op("fill", "FillRule", &[C], &[&[Meta(0), Const(0)]], NONE),
];

const M2: &[Read] = &[Meta(0), Meta(1)];
const M2C: &[Read] = &[Meta(0), Meta(1), Const(0)];
const UPDATE: Caps = Caps {
    consumes: true,
    owned_grad: 0b11,
    both_owned: true,
    ..NONE
};
const M3: &[Read] = &[Meta(0), Meta(1), Meta(2)];
const M4: &[Read] = &[Meta(0), Meta(1), Meta(2), Meta(3)];
const M5: &[Read] = &[Meta(0), Meta(1), Meta(2), Meta(3), Meta(4)];
const M6: &[Read] = &[Meta(0), Meta(1), Meta(2), Meta(3), Meta(4), Meta(5)];
const M7: &[Read] = &[
    Meta(0),
    Meta(1),
    Meta(2),
    Meta(3),
    Meta(4),
    Meta(5),
    Meta(6),
];
const M8: &[Read] = &[
    Meta(0),
    Meta(1),
    Meta(2),
    Meta(3),
    Meta(4),
    Meta(5),
    Meta(6),
    Meta(7),
];
const PART: Caps = Caps {
    consumes: true,
    owned_grad: 0b1,
    ..NONE
};

/// The most elements a tuple of differentiated values has.
pub const MAX_TUPLE: usize = 8;

/// The operations users call as methods (not operators, fused or built-in forms).
const NOT_METHODS: &[&str] = &[
    "add",
    "sub",
    "mul",
    "div",
    "neg",
    "rem",
    "cast",
    "matmul_t",
    "square_sum_axis",
    "index",
    "concatenate",
    "stack",
    "tuple2",
    "tuple3",
    "tuple4",
    "part0",
    "part1",
    "part2",
    "part3",
    "tuple5",
    "tuple6",
    "tuple7",
    "tuple8",
    "part4",
    "part5",
    "part6",
    "part7",
    "array",
    "push",
    "set",
    "add_at",
    "fill",
];

fn find(name: &str) -> Option<&'static OpEntry> {
    OPS.iter().find(|e| e.name == name)
}

/// The rule of a method the user calls.
pub fn method(name: &str) -> Option<&'static OpEntry> {
    find(name).filter(|e| !NOT_METHODS.contains(&e.name))
}

/// The rule of an operator, by its std trait method (`add`, `neg`).
pub fn operator(name: &str) -> Option<&'static OpEntry> {
    find(name).filter(|e| matches!(e.name, "add" | "sub" | "mul" | "div" | "rem" | "neg"))
}

/// A fused or built-in form, by name (`index`, `concatenate`, `matmul_t`).
pub fn builtin(name: &str) -> Option<&'static OpEntry> {
    find(name)
}

/// The names of all methods with rules, for error messages.
pub fn method_names() -> String {
    OPS.iter()
        .filter(|e| !NOT_METHODS.contains(&e.name))
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Methods that read a value without differentiating it: their results are constants.
pub const READERS: &[&str] = &[
    "shape",
    "len",
    "is_some",
    "is_none",
    "ndim",
    "dim",
    "raw_dim",
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
    // Indices of the largest elements (for accuracies).
    "argmax",
    // Piecewise constant: derivative 0, as in PyTorch.
    "floor",
    "ceil",
    "round",
    "round_ties_even",
    "trunc",
    "signum",
    "div_euclid",
    // Of an iterator: counts, positions and booleans.
    "count",
    "position",
    "rposition",
    "any",
    "all",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
];

/// Methods that return their receiver's value unchanged, for gradients.
pub const IDENTITIES: &[&str] = &["clone", "to_owned"];

/// One line per operation in a canonical form, for the test that compares
/// this table with the runtime's declarations.
pub fn canonical() -> Vec<String> {
    OPS.iter().map(canonical_line).collect()
}

fn canonical_line(e: &OpEntry) -> String {
    let args: Vec<&str> = e
        .args
        .iter()
        .map(|a| match a {
            Arg::Operand => "operand",
            Arg::Const => "const",
        })
        .collect();
    let reads: Vec<String> = e
        .reads
        .iter()
        .map(|r| {
            let items: Vec<String> = r
                .iter()
                .map(|x| match x {
                    Read::Value(i) => format!("value{i}"),
                    Read::Meta(i) => format!("meta{i}"),
                    Read::Output => "output".into(),
                    Read::Const(i) => format!("const{i}"),
                    Read::AllMetas => "metas".into(),
                    Read::Position => "position".into(),
                })
                .collect();
            format!("[{}]", items.join(" "))
        })
        .collect();
    let c = &e.caps;
    let mut caps = Vec::new();
    let flags = [
        (c.elementwise, "elementwise"),
        (c.consumes, "consumes"),
        (c.both_owned, "both_owned"),
        (c.into, "into"),
        (c.variadic, "variadic"),
        (c.view, "view"),
        (c.takes_operand, "takes_operand"),
    ];
    for (on, name) in flags {
        if on {
            caps.push(name.to_string());
        }
    }
    for k in 0..8 {
        if e.owned_grad(k) {
            caps.push(format!("owned_grad{k}"));
        }
    }
    for k in 0..8 {
        if e.passes(k) {
            caps.push(format!("passes{k}"));
        }
    }
    match e.fusion {
        Fusion::None => {}
        Fusion::TransposedArg(n) => caps.push(format!("fuse_transposed_arg={n}")),
        Fusion::SquaredReceiver(n) => caps.push(format!("fuse_squared_receiver={n}")),
        Fusion::SameOperands(n) => caps.push(format!("fuse_same_operands={n}")),
    }
    format!(
        "{} {} args({}) reads({}) caps({})",
        e.name,
        e.rule,
        args.join(" "),
        reads.join(" "),
        caps.join(" ")
    )
}
