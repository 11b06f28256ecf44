//! Where each value is defined and used, in program order: the facts every
//! other analysis starts from.

use crate::core::walk::{self, Cx, Frame, Read};
use crate::core::{Body, Inst, Let, Loop, Operand, Term, ValueId};

/// Where a value is defined.
#[derive(Clone, Copy)]
pub enum Def<'b> {
    Param(usize),
    Let(&'b Let),
    /// An out of this instruction (an `if`, `match`, labelled block or loop).
    Out,
    Header(&'b Loop),
    /// Bound by a pattern of this instruction (a `for` loop, a `match` arm, a `let`).
    Pattern,
}

/// How a value is used.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum UseKind {
    /// By an instruction (see `walk::Read`).
    Inst(Read),
    /// Passed on by a terminator (a yield or a jump).
    Term,
    /// Returned by the function (its block's yield, or a `return`).
    Output,
}

#[derive(Clone, Copy)]
pub struct Use {
    pub kind: UseKind,
    /// Program position of the instruction or terminator.
    pub pos: u32,
}

/// Per value: its definition and its place in the program.
pub struct DefInfo<'b> {
    pub def: Option<Def<'b>>,
    /// Program position of the defining instruction (0 for parameters).
    pub pos: u32,
    /// Defined in the function's own block (or a parameter).
    pub top_level: bool,
    /// The innermost loop around the definition.
    pub lp: Option<&'b Loop>,
    /// How many loops are around the definition.
    pub depth: usize,
    /// The block the definition stands in (its address), for scope questions.
    pub block: usize,
}

pub struct Defs<'b> {
    pub info: Vec<DefInfo<'b>>,
    pub uses: Vec<Vec<Use>>,
    /// Program position of each instruction and terminator, by address.
    pub pos: std::collections::HashMap<usize, u32>,
    /// The end position (past everything nested) of each instruction.
    pub end: std::collections::HashMap<usize, u32>,
    /// The loops around each instruction and terminator (innermost last), by address.
    pub loops: std::collections::HashMap<usize, Vec<&'b Loop>>,
    /// The branch path of each position: (construct address, branch index), outermost first.
    pub branches: std::collections::HashMap<u32, Vec<(usize, usize)>>,
    /// The instruction at each position.
    pub inst_at: std::collections::HashMap<u32, &'b Inst>,
    /// Address of the function's block.
    pub root: usize,
    /// A match arm's binding of the whole scrutinee (`match a { v => .. }`):
    /// the binding's value to the one value the scrutinee names.
    pub binds_scrutinee: std::collections::HashMap<ValueId, ValueId>,
}

/// The value a constant is just the name of (`a`, `(a)`).
fn named_value(c: &crate::core::Const) -> Option<ValueId> {
    let e = syn::parse2::<syn::Expr>(c.tokens.clone()).ok()?;
    match (crate::lower::strip_parens(&e), c.reads.as_slice()) {
        (syn::Expr::Path(p), [v]) if p.qself.is_none() && p.path.get_ident().is_some() => Some(*v),
        _ => None,
    }
}

/// A pattern that binds the whole value to one name (`v`, `mut v`).
fn is_bare_name(pat: &proc_macro2::TokenStream) -> bool {
    use syn::parse::Parser;
    matches!(
        syn::Pat::parse_single.parse2(pat.clone()),
        Ok(syn::Pat::Ident(syn::PatIdent {
            by_ref: None,
            subpat: None,
            ..
        }))
    )
}

pub fn addr<T>(x: &T) -> usize {
    x as *const T as usize
}

pub fn find<'b>(body: &'b Body) -> Defs<'b> {
    let n = body.values.len();
    let mut d = Defs {
        info: (0..n)
            .map(|_| DefInfo {
                def: None,
                pos: 0,
                top_level: true,
                lp: None,
                depth: 0,
                block: addr(&body.block),
            })
            .collect(),
        uses: vec![Vec::new(); n],
        pos: Default::default(),
        end: Default::default(),
        loops: Default::default(),
        branches: Default::default(),
        inst_at: Default::default(),
        root: addr(&body.block),
        binds_scrutinee: std::collections::HashMap::new(),
    };
    for (i, p) in body.params.iter().enumerate() {
        d.info[*p].def = Some(Def::Param(i));
    }
    let mut v = Finder {
        d: &mut d,
        next: 1,
        blocks: Vec::new(),
        branch_path: Vec::new(),
    };
    v.walk_block(&body.block, &mut Cx::default());
    d
}

struct Finder<'d, 'b> {
    d: &'d mut Defs<'b>,
    next: u32,
    blocks: Vec<usize>,
    branch_path: Vec<(usize, usize)>,
}

impl<'b> Finder<'_, 'b> {
    fn walk_block(&mut self, block: &'b crate::core::Block, cx: &mut Cx<'b>) {
        self.blocks.push(addr(block));
        for inst in &block.insts {
            self.inst(inst, cx);
            for (k, (frame, b)) in walk::nested(inst).into_iter().enumerate() {
                let branch = matches!(frame, Frame::Branch);
                if branch {
                    self.branch_path.push((addr(inst), k));
                }
                cx.stack.push(frame);
                self.walk_block(b, cx);
                cx.stack.pop();
                if branch {
                    self.branch_path.pop();
                }
            }
            self.d.end.insert(addr(inst), self.next);
        }
        self.term(&block.term, cx);
        self.blocks.pop();
    }

    fn here(&mut self, at: usize, cx: &Cx<'b>) -> u32 {
        let p = self.next;
        self.next += 1;
        self.d.pos.insert(at, p);
        let loops: Vec<&'b Loop> = cx
            .stack
            .iter()
            .filter_map(|f| match f {
                Frame::Loop(l) => Some(*l),
                _ => None,
            })
            .collect();
        self.d.loops.insert(at, loops);
        self.d.branches.insert(p, self.branch_path.clone());
        p
    }

    fn define(&mut self, v: ValueId, def: Def<'b>, pos: u32, cx: &Cx<'b>, inside: bool) {
        let info = &mut self.d.info[v];
        info.def = Some(def);
        info.pos = pos;
        // Header parameters and pattern bindings of a loop live inside it.
        let mut lp = cx.innermost_loop();
        let mut depth = cx.loop_depth();
        let mut top = cx.top_level();
        if inside {
            if let Def::Header(l) = def {
                lp = Some(l);
                depth += 1;
                top = false;
            }
        }
        info.lp = lp;
        info.depth = depth;
        info.top_level = top;
        info.block = *self.blocks.last().unwrap_or(&self.d.root);
    }

    fn inst(&mut self, inst: &'b Inst, cx: &Cx<'b>) {
        let pos = self.here(addr(inst), cx);
        self.d.inst_at.insert(pos, inst);
        walk::reads(inst, &mut |o, r| {
            if let Operand::Value(v) = o {
                self.d.uses[*v].push(Use {
                    kind: UseKind::Inst(r),
                    pos,
                });
            }
        });
        match inst {
            Inst::Let(l) => self.define(l.out, Def::Let(l), pos, cx, false),
            Inst::Loop(l) => {
                // Header parameters and pattern bindings are in scope in the body only.
                for h in &l.carried {
                    self.define(*h, Def::Header(l), pos, cx, true);
                    self.d.info[*h].block = addr(&l.body);
                }
                if let crate::core::LoopKind::For { bindings, .. } = &l.kind {
                    for b in bindings {
                        self.define(*b, Def::Header(l), pos, cx, true);
                        self.d.info[*b].def = Some(Def::Pattern);
                        self.d.info[*b].block = addr(&l.body);
                    }
                }
                for o in l.outs.iter().chain(l.value.iter()) {
                    self.define(*o, Def::Out, pos, cx, false);
                }
            }
            Inst::Match(m) => {
                let named = named_value(&m.scrutinee);
                for arm in &m.arms {
                    for b in &arm.bindings {
                        self.define(*b, Def::Pattern, pos, cx, false);
                        // Inside the arm.
                        self.d.info[*b].top_level = false;
                        self.d.info[*b].block = addr(&arm.body);
                    }
                    if let (Some(s), [b]) = (named, arm.bindings.as_slice()) {
                        if is_bare_name(&arm.pat) {
                            self.d.binds_scrutinee.insert(*b, s);
                        }
                    }
                }
                for o in &m.outs {
                    self.define(*o, Def::Out, pos, cx, false);
                }
            }
            Inst::If(i) => {
                for o in &i.outs {
                    self.define(*o, Def::Out, pos, cx, false);
                }
            }
            Inst::Labelled(b) => {
                for o in &b.outs {
                    self.define(*o, Def::Out, pos, cx, false);
                }
            }
            Inst::Bind(b) => {
                for v in &b.bindings {
                    self.define(*v, Def::Pattern, pos, cx, false);
                }
            }
            Inst::Check(_) => {}
        }
    }

    fn term(&mut self, term: &'b Term, cx: &Cx<'b>) {
        let pos = self.here(addr(term), cx);
        let root = self.blocks.len() == 1;
        let kind = match term {
            Term::Jump(j) if j.target == crate::core::Target::Return => UseKind::Output,
            Term::Yield(_) if root => UseKind::Output,
            _ => UseKind::Term,
        };
        for o in walk::term_operands(term) {
            if let Operand::Value(v) = o {
                self.d.uses[*v].push(Use { kind, pos });
            }
        }
    }
}

impl<'b> Defs<'b> {
    /// The `Let` defining a value, if it is defined by one.
    pub fn let_of(&self, v: ValueId) -> Option<&'b Let> {
        match self.info[v].def {
            Some(Def::Let(l)) => Some(l),
            _ => None,
        }
    }

    /// Whether a value is defined inside an instruction: by something
    /// nested in it, or as one of its header parameters or pattern bindings.
    pub fn inside(&self, v: ValueId, inst: &Inst) -> bool {
        let (Some(start), Some(end)) = (self.pos.get(&addr(inst)), self.end.get(&addr(inst)))
        else {
            return false;
        };
        let p = self.info[v].pos;
        if p == *start {
            return matches!(self.info[v].def, Some(Def::Header(_)) | Some(Def::Pattern));
        }
        p > *start && p < *end
    }

    pub fn is_param(&self, v: ValueId) -> bool {
        matches!(self.info[v].def, Some(Def::Param(_)))
    }

    /// Whether two positions lie in different branches of one `if` or `match`
    /// (so that at most one of them runs).
    pub fn exclusive(&self, a: u32, b: u32) -> bool {
        let (Some(pa), Some(pb)) = (self.branches.get(&a), self.branches.get(&b)) else {
            return false;
        };
        for (x, y) in pa.iter().zip(pb) {
            if x.0 != y.0 {
                return false;
            }
            if x.1 != y.1 {
                return true;
            }
        }
        false
    }
}
