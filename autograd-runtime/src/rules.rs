//! Every derivative rule, under the names generated code calls.
//!
//! Each rule is a trait implemented for the value types it applies to, with a
//! forward pass `fwd` and one backward function per differentiable operand
//! (`rev0` for the receiver or left operand, `rev1` for the next). A backward
//! function takes exactly what it reads (an operand, the output, or only an
//! operand's [`Meta`](crate::value::Meta)) and the output's gradient `d`.

pub use crate::ops::arith::{AddRule, DivRule, MulRule, NegRule, SquareRule, SubRule};
pub use crate::ops::float_fns::{
    Atan2Rule, CastRule, CopysignRule, HypotRule, LogRule, MulAddRule, RemEuclidRule, RemRule,
    ToDegreesRule, ToRadiansRule,
};
pub use crate::ops::index::{
    BroadcastRule, IndexAxisRule, IndexRule, InsertAxisRule, SliceAxisRule,
};
pub use crate::ops::join::{ConcatenateRule, StackRule};
pub use crate::ops::linalg::{MatmulRule, MatmulTRule, TRule};
pub use crate::ops::pack::{
    ArrayRule, Part0Rule, Part1Rule, Part2Rule, Part3Rule, Part4Rule, Part5Rule, Part6Rule,
    Part7Rule, Tuple2Rule, Tuple3Rule, Tuple4Rule, Tuple5Rule, Tuple6Rule, Tuple7Rule, Tuple8Rule,
};
pub use crate::ops::reduce::{ItemRule, MeanAxisRule, MeanRule, SumAxisRule, SumRule};
pub use crate::ops::select::{ClampRule, MaxAxisRule, MaximumRule, MinAxisRule, MinimumRule};
pub use crate::ops::shape::ReshapeRule;
pub use crate::ops::softmax::{LogSoftmaxRule, LogsumexpRule, SoftmaxRule};
pub use crate::ops::square_sum::SquareSumAxisRule;
pub use crate::ops::unary::{
    AbsRule, AcosRule, AcoshRule, AsinRule, AsinhRule, AtanRule, AtanhRule, CbrtRule, CosRule,
    CoshRule, Exp2Rule, ExpM1Rule, ExpRule, Ln1pRule, LnRule, Log10Rule, Log2Rule, PowfRule,
    PowiRule, RecipRule, ReluRule, SigmoidRule, SinRule, SinhRule, SqrtRule, TanRule, TanhRule,
};
pub use crate::ops::update::{AddAtRule, FillRule, PushRule, SetRule};

/// The rules of `concatenate` and `stack`, which take all their parts at once:
/// `concatenate_fwd(&axis, &[&a, &b])`, and `concatenate_rev(&axis, &metas, k, d)`
/// for the gradient of part `k` (likewise `stack_fwd`, `stack_rev`).
pub mod join {
    pub use crate::ops::join::{concatenate_fwd, concatenate_rev, stack_fwd, stack_rev};
}
