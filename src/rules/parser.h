// The condition language of Falco rules, parsed into an AST (docs/dev/runtime-design.md §3.3).
// Conditions come from rule files people write and share: untrusted text. The parser never
// throws, caps nesting, and reports the first error with its byte offset in the text so the
// loader can point at file:line:column.
//
// Grammar (libsinsp's, as ../shared/reference/falco-rule-language.md §1.4 gives it):
//
//   Expr        ::= OrExpr
//   OrExpr      ::= AndExpr ('or' (Blank AndExpr | '(' Expr ')'))*
//   AndExpr     ::= NotExpr ('and' (Blank NotExpr | '(' Expr ')'))*
//   NotExpr     ::= ('not' Blank)* ('not(' Expr ')' | Check)
//   Check       ::= FieldExpr Condition | Identifier | '(' Expr ')'
//   FieldExpr   ::= Transformer '(' FieldExpr ')' | Field
//   Condition   ::= 'exists'
//                 | NumOp (Number | RhsField)
//                 | StrOp (('oneof' | 'anyof' | 'allof') ListValue | StrValue | RhsField)
//                 | ListOp (ListValue | RhsField)
//   RhsField    ::= 'val(' FieldExpr ')' | Transformer '(' FieldExpr ')'
//   ListValue   ::= '(' (StrValue (',' StrValue)*)? ')' | Identifier
//   Field       ::= FieldName ('[' (QuotedStr | [^ \b\t\n\r\[\]"']+) ']')?
//   NumOp       ::= '<=' | '<' | '>=' | '>'
//   StrOp       ::= '==' | '=' | '!=' | 'contains' | 'icontains' | 'bcontains' | 'startswith'
//                 | 'bstartswith' | 'endswith' | 'glob' | 'iglob' | 'regex'
//   ListOp      ::= 'in' | 'intersects' | 'pmatch'
//   Transformer ::= 'tolower' | 'toupper' | 'b64' | 'basename' | 'len' | 'join' | 'concat'
//                 | 'getopt'
//   FieldName   ::= [a-zA-Z]+[a-zA-Z0-9_]* ('.' [a-zA-Z]+[a-zA-Z0-9_]*)+
//   Identifier  ::= [a-zA-Z]+[a-zA-Z0-9_]*            (a macro, or a list on the right)
//   Number      ::= [+-]?[0-9]+[.]?[0-9]*([eE][+-][0-9]+)? | 0[xX][0-9a-zA-Z]+
//   StrValue    ::= QuotedStr | BareStr
//   QuotedStr   ::= '"' ... '"' | "'" ... "'"       (\" \' \\ and \xHH escapes)
//   BareStr     ::= [^ \b\t\n\r(),="']+
//   Blank       ::= [ \b\t\n\r]+
//
// Keywords (and, or, not, operators, list modifiers) must be followed by a blank or '('
// (operators made of symbols need not be). `not` binds tighter than `and`, `and` than `or`.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace bulwark::rules {

// Deeper nesting of parentheses, `not` and transformers is an error (as in libsinsp).
inline constexpr std::size_t kMaxConditionDepth = 1000;
// Longer conditions are refused before parsing: no real rule comes near this, and list
// substitution cannot grow a condition past it without the loader noticing first.
inline constexpr std::size_t kMaxConditionBytes = std::size_t{1} << 20;

// A field with its optional argument and the transformers applied to it, outermost first:
// `tolower(basename(proc.exepath))` → transformers {"tolower", "basename"}.
struct FieldExpr {
  std::string name;  // "proc.aname"
  std::string arg;   // "2" for proc.aname[2]; "" when none
  bool has_arg = false;
  std::vector<std::string> transformers;
  std::size_t offset = 0;  // of the outermost token
};

enum class NodeKind {
  And,    // children: two or more, in written order
  Or,     // children: two or more
  Not,    // children: one
  Check,  // field op [value]
  Macro,  // a bare identifier: a macro reference
};

enum class ValueKind {
  None,     // `exists`
  String,   // one literal (quoted or bare, unescaped)
  List,     // '(' literals ')'
  ListRef,  // a list's name on the right of a list operator: `in (shell_binaries)` is a List
            // holding one bare string; `in shell_binaries` is a ListRef
  Field,    // val(field) or a transformed field on the right
};

struct Node {
  NodeKind kind = NodeKind::Check;
  std::size_t offset = 0;  // where the node's text starts
  std::vector<std::unique_ptr<Node>> children;
  // Check
  FieldExpr field;
  std::string op;        // "=", "contains", "in", "exists", …
  std::string modifier;  // "oneof" | "anyof" | "allof" | ""
  ValueKind value_kind = ValueKind::None;
  std::vector<std::string> values;  // String: one; List: every element (may be none)
  std::vector<bool> quoted;         // per value: it was written quoted
  FieldExpr value_field;            // ValueKind::Field
  bool value_is_val = false;        // written `val(…)`
  // Macro, ListRef
  std::string identifier;
};

struct ParseError {
  std::string message;
  std::size_t offset = 0;  // byte offset in the condition
};

tl::expected<std::unique_ptr<Node>, ParseError> parseCondition(std::string_view text);

// The condition written back in a canonical form: single blanks, every group and value list
// parenthesised, literals quoted when they need it. Parsing the output gives the same tree.
std::string toString(const Node& node);

}  // namespace bulwark::rules
