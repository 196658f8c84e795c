#include "salesforce/soql.hpp"

#include "salesforce/errors.hpp"

#include "framework/http_types.hpp"

#include <appconnect/time.hpp>

#include <cctype>
#include <charconv>

namespace appconnect::crm_sandbox::salesforce::soql {

namespace {

enum class T { kIdent, kString, kNumber, kDate, kDateTime, kLParen, kRParen, kComma, kOp, kEnd };

struct Token {
  T type = T::kEnd;
  std::string text; // identifier/operator as written; string literal unescaped
  std::size_t pos = 0;
};

// Reports a syntax error the way Salesforce lays it out: the statement, a caret under the offending
// column, "ERROR at Row:R:Column:C" and the reason.
[[noreturn]] void syntax_error(std::string_view code, std::string_view source, std::size_t pos,
                               const std::string& detail) {
  std::size_t row = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < pos && i < source.size(); ++i)
    if (source[i] == '\n') {
      ++row;
      line_start = i + 1;
    }
  auto line_end = source.find('\n', line_start);
  if (line_end == std::string_view::npos) line_end = source.size();
  const std::size_t column = pos - line_start + 1;
  std::string message = "\n" + std::string(source.substr(line_start, line_end - line_start)) + "\n" +
                        std::string(column - 1, ' ') + "^\nERROR at Row:" + std::to_string(row) +
                        ":Column:" + std::to_string(column) + "\n" + detail;
  throw SfError(400, std::string(code), message);
}

class Lexer {
 public:
  Lexer(std::string_view text, std::size_t base, std::string_view source, std::string_view code)
      : text_(text), base_(base), source_(source), code_(code) {}

  std::vector<Token> run() {
    std::vector<Token> out;
    std::size_t i = 0;
    while (true) {
      while (i < text_.size() && std::isspace(static_cast<unsigned char>(text_[i]))) ++i;
      if (i >= text_.size()) {
        out.push_back({T::kEnd, "<EOF>", base_ + text_.size()});
        return out;
      }
      const char c = text_[i];
      const std::size_t start = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_' || text_[i] == '.'))
          ++i;
        out.push_back({T::kIdent, std::string(text_.substr(start, i - start)), base_ + start});
      } else if (c == '\'') {
        std::string value;
        ++i;
        bool closed = false;
        while (i < text_.size()) {
          const char d = text_[i++];
          if (d == '\\' && i < text_.size()) {
            const char e = text_[i++];
            switch (e) {
              case 'n':
                value.push_back('\n');
                break;
              case 't':
                value.push_back('\t');
                break;
              case 'r':
                value.push_back('\r');
                break;
              case 'b':
                value.push_back('\b');
                break;
              case 'f':
                value.push_back('\f');
                break;
              // LIKE needs to tell an escaped wildcard from a real one: keep the backslash.
              case '%':
              case '_':
                value.push_back('\\');
                value.push_back(e);
                break;
              default:
                value.push_back(e);
            }
          } else if (d == '\'') {
            closed = true;
            break;
          } else {
            value.push_back(d);
          }
        }
        if (!closed)
          syntax_error(code_, source_, base_ + start,
                       "line 1:" + std::to_string(start) + " mismatched character '<EOF>' expecting '''");
        out.push_back({T::kString, std::move(value), base_ + start});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '-' && i + 1 < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        if (is_date_start(i)) {
          while (i < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[i])) ||
                                      std::string_view("-:T.Z+").find(text_[i]) != std::string_view::npos))
            ++i;
          const std::string lit(text_.substr(start, i - start));
          out.push_back({lit.find('T') == std::string::npos ? T::kDate : T::kDateTime, lit, base_ + start});
        } else {
          ++i;
          while (i < text_.size() && (std::isdigit(static_cast<unsigned char>(text_[i])) || text_[i] == '.')) ++i;
          out.push_back({T::kNumber, std::string(text_.substr(start, i - start)), base_ + start});
        }
      } else if (c == '(') {
        out.push_back({T::kLParen, "(", base_ + i++});
      } else if (c == ')') {
        out.push_back({T::kRParen, ")", base_ + i++});
      } else if (c == ',') {
        out.push_back({T::kComma, ",", base_ + i++});
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        std::string op(1, c);
        ++i;
        if (i < text_.size() && (text_[i] == '=' || (c == '<' && text_[i] == '>'))) op.push_back(text_[i++]);
        if (op == "!") syntax_error(code_, source_, base_ + start, "unexpected token: '!'");
        out.push_back({T::kOp, op, base_ + start});
      } else {
        syntax_error(code_, source_, base_ + start, "unexpected token: '" + std::string(1, c) + "'");
      }
    }
  }

 private:
  bool is_date_start(std::size_t i) const {
    if (i + 10 > text_.size()) return false;
    for (std::size_t k = 0; k < 4; ++k)
      if (!std::isdigit(static_cast<unsigned char>(text_[i + k]))) return false;
    return text_[i + 4] == '-';
  }

  std::string_view text_;
  std::size_t base_;
  std::string_view source_;
  std::string_view code_;
};

class Parser {
 public:
  Parser(std::string_view source, std::string_view code, std::size_t offset = 0)
      : source_(source), code_(code), tokens_(Lexer(source.substr(offset), offset, source, code).run()) {}

  Select select() {
    Select q;
    expect_keyword("SELECT");
    if (peek_keyword("COUNT") && peek(1).type == T::kLParen) {
      next();
      next();
      expect(T::kRParen, ")");
      q.count_only = true;
    } else if (peek_keyword("FIELDS") && peek(1).type == T::kLParen) {
      next();
      next();
      const Token& which = expect(T::kIdent, "ALL, STANDARD or CUSTOM");
      q.fields_macro = upper(which.text);
      if (q.fields_macro != "ALL" && q.fields_macro != "STANDARD" && q.fields_macro != "CUSTOM")
        fail(which, "unexpected token: '" + which.text + "'");
      expect(T::kRParen, ")");
    } else {
      q.fields = field_list();
    }
    expect_keyword("FROM");
    q.object = expect(T::kIdent, "object name").text;
    if (accept_keyword("WHERE")) q.where = expression();
    // Sharing/permission modes change nothing here (the sandbox has no sharing model): accept them.
    if (peek_keyword("WITH") &&
        (peek_keyword("SECURITY_ENFORCED", 1) || peek_keyword("USER_MODE", 1) || peek_keyword("SYSTEM_MODE", 1))) {
      next();
      next();
    }
    if (accept_keyword("ORDER")) {
      expect_keyword("BY");
      q.order_by = order_items();
    }
    if (accept_keyword("LIMIT")) q.limit = integer();
    if (accept_keyword("OFFSET")) q.offset = integer();
    reject_unsupported();
    expect_end();
    return q;
  }

  Returning returning_item() {
    Returning r;
    r.object = expect(T::kIdent, "object name").text;
    if (accept(T::kLParen)) {
      r.fields = field_list();
      if (accept_keyword("WHERE")) r.where = expression();
      if (accept_keyword("ORDER")) {
        expect_keyword("BY");
        r.order_by = order_items();
      }
      if (accept_keyword("LIMIT")) r.limit = integer();
      expect(T::kRParen, ")");
    }
    return r;
  }

  void search_tail(Search& s) {
    if (accept_keyword("IN")) {
      const Token& group = expect(T::kIdent, "search group");
      s.group = upper(group.text);
      if (s.group != "ALL" && s.group != "NAME" && s.group != "EMAIL" && s.group != "PHONE" && s.group != "SIDEBAR")
        fail(group, "unexpected token: '" + group.text + "'");
      expect_keyword("FIELDS");
    }
    if (accept_keyword("RETURNING")) {
      s.returning.push_back(returning_item());
      while (accept(T::kComma)) s.returning.push_back(returning_item());
    }
    if (accept_keyword("LIMIT")) s.limit = integer();
    reject_unsupported();
    expect_end();
  }

  Expr condition_only() {
    Expr e = expression();
    expect_end();
    return e;
  }

  std::vector<OrderItem> order_only() {
    auto items = order_items();
    expect_end();
    return items;
  }

 private:
  static std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

  const Token& peek(std::size_t k = 0) const {
    return tokens_[pos_ + k < tokens_.size() ? pos_ + k : tokens_.size() - 1];
  }
  const Token& next() {
    const Token& t = peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool peek_keyword(std::string_view kw, std::size_t k = 0) const {
    return peek(k).type == T::kIdent && iequals(peek(k).text, kw);
  }
  bool accept_keyword(std::string_view kw) {
    if (!peek_keyword(kw)) return false;
    next();
    return true;
  }
  bool accept(T type) {
    if (peek().type != type) return false;
    next();
    return true;
  }
  [[noreturn]] void fail(const Token& t, const std::string& detail) const {
    syntax_error(code_, source_, t.pos, detail);
  }
  [[noreturn]] void unexpected(const Token& t) const {
    fail(t, t.type == T::kEnd ? "unexpected token: <EOF>" : "unexpected token: '" + t.text + "'");
  }
  void expect_keyword(std::string_view kw) {
    if (!accept_keyword(kw)) unexpected(peek());
  }
  const Token& expect(T type, std::string_view /*what*/) {
    if (peek().type != type) unexpected(peek());
    return next();
  }
  void expect_end() {
    if (peek().type != T::kEnd) unexpected(peek());
  }
  // Clauses real SOQL/SOSL has but the sandbox does not emulate fail loudly and say so, rather than
  // being misread as a syntax error in the caller's query.
  void reject_unsupported() {
    static constexpr std::string_view kUnsupported[] = {"GROUP", "HAVING", "WITH", "FOR", "TYPEOF", "USING", "UPDATE"};
    for (auto kw : kUnsupported)
      if (peek_keyword(kw))
        fail(peek(),
             "unexpected token: '" + peek().text + "' (this clause is not supported by the AppConnect sandbox)");
  }

  std::vector<std::string> field_list() {
    std::vector<std::string> fields;
    do {
      if (peek().type == T::kLParen)
        fail(peek(), "unexpected token: '(' (subqueries are not supported by the AppConnect sandbox)");
      const Token& t = expect(T::kIdent, "field");
      if (iequals(t.text, "FROM") || iequals(t.text, "WHERE")) unexpected(t);
      fields.push_back(t.text);
    } while (accept(T::kComma));
    return fields;
  }

  std::int64_t integer() {
    const Token& t = next();
    std::int64_t value = 0;
    if (t.type != T::kNumber) unexpected(t);
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
    if (ec != std::errc() || p != t.text.data() + t.text.size() || value < 0) unexpected(t);
    return value;
  }

  std::vector<OrderItem> order_items() {
    std::vector<OrderItem> items;
    do {
      OrderItem item;
      item.field = expect(T::kIdent, "field").text;
      if (accept_keyword("DESC"))
        item.descending = true;
      else
        accept_keyword("ASC");
      item.nulls_last = item.descending;
      if (accept_keyword("NULLS")) {
        if (accept_keyword("LAST"))
          item.nulls_last = true;
        else if (accept_keyword("FIRST"))
          item.nulls_last = false;
        else
          unexpected(peek());
      }
      items.push_back(std::move(item));
    } while (accept(T::kComma));
    return items;
  }

  // A chain joined by one logical operator; mixing AND and OR without parentheses is an error.
  Expr expression() {
    Expr first = unary();
    if (!peek_keyword("AND") && !peek_keyword("OR")) return first;
    const bool is_and = peek_keyword("AND");
    Expr chain;
    chain.kind = is_and ? Expr::Kind::kAnd : Expr::Kind::kOr;
    chain.children.push_back(std::move(first));
    while (peek_keyword("AND") || peek_keyword("OR")) {
      if (peek_keyword("AND") != is_and) unexpected(peek());
      next();
      chain.children.push_back(unary());
    }
    return chain;
  }

  Expr unary() {
    if (accept_keyword("NOT")) {
      Expr e;
      e.kind = Expr::Kind::kNot;
      e.children.push_back(unary());
      return e;
    }
    if (accept(T::kLParen)) {
      Expr e = expression();
      expect(T::kRParen, ")");
      return e;
    }
    return comparison();
  }

  Expr comparison() {
    Expr e;
    const Token& field = expect(T::kIdent, "field");
    e.field = field.text;
    if (peek().type == T::kOp) {
      e.kind = Expr::Kind::kCompare;
      e.op = next().text;
      if (e.op == "<>") e.op = "!=";
      e.values.push_back(literal());
      return e;
    }
    if (accept_keyword("LIKE")) {
      e.kind = Expr::Kind::kLike;
      const Token& t = expect(T::kString, "string");
      e.values.push_back(Literal{Literal::Kind::kString, t.text, 0, false, 0});
      return e;
    }
    bool negate = false;
    if (accept_keyword("NOT")) negate = true;
    if (accept_keyword("IN")) {
      e.kind = negate ? Expr::Kind::kNotIn : Expr::Kind::kIn;
      expect(T::kLParen, "(");
      do e.values.push_back(literal());
      while (accept(T::kComma));
      expect(T::kRParen, ")");
      return e;
    }
    if (peek_keyword("INCLUDES") || peek_keyword("EXCLUDES"))
      fail(peek(), "unexpected token: '" + peek().text +
                       "' (multi-select picklists are not supported by the AppConnect sandbox)");
    unexpected(peek());
  }

  Literal literal() {
    const Token& t = next();
    Literal lit;
    lit.text = t.text;
    switch (t.type) {
      case T::kString:
        lit.kind = Literal::Kind::kString;
        return lit;
      case T::kNumber: {
        lit.kind = Literal::Kind::kNumber;
        try {
          lit.number = std::stod(t.text);
        } catch (const std::exception&) {
          unexpected(t);
        }
        return lit;
      }
      case T::kDate:
      case T::kDateTime: {
        auto ms = sdk::time::parse_iso8601_ms(t.text);
        if (!ms) fail(t, "line 1:" + std::to_string(t.pos) + " no viable alternative at character '" + t.text + "'");
        lit.kind = t.type == T::kDate ? Literal::Kind::kDate : Literal::Kind::kDateTime;
        lit.ms = *ms;
        return lit;
      }
      case T::kIdent:
        if (iequals(t.text, "true") || iequals(t.text, "false")) {
          lit.kind = Literal::Kind::kBoolean;
          lit.boolean = iequals(t.text, "true");
          return lit;
        }
        if (iequals(t.text, "null")) {
          lit.kind = Literal::Kind::kNull;
          return lit;
        }
        fail(t, "unexpected token: '" + t.text +
                    "' (date literals such as TODAY are not supported by the AppConnect sandbox)");
      default:
        unexpected(t);
    }
  }

  std::string_view source_;
  std::string_view code_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
};

} // namespace

Select parse_query(std::string_view soql) {
  return Parser(soql, "MALFORMED_QUERY").select();
}

Search parse_search(std::string_view sosl) {
  constexpr std::string_view kCode = "MALFORMED_SEARCH";
  std::size_t i = 0;
  while (i < sosl.size() && std::isspace(static_cast<unsigned char>(sosl[i]))) ++i;
  if (sosl.size() < i + 4 || !iequals(sosl.substr(i, 4), "FIND"))
    syntax_error(kCode, sosl, i, "unexpected token: expecting FIND");
  i += 4;
  while (i < sosl.size() && std::isspace(static_cast<unsigned char>(sosl[i]))) ++i;
  if (i >= sosl.size() || sosl[i] != '{')
    throw SfError(400, std::string(kCode), "No search term found. The search term must be enclosed in braces.");
  // The term runs to the first unescaped '}'; a backslash escapes the next character.
  Search s;
  ++i;
  bool closed = false;
  while (i < sosl.size()) {
    const char c = sosl[i++];
    if (c == '\\' && i < sosl.size()) {
      s.term.push_back(sosl[i++]);
    } else if (c == '}') {
      closed = true;
      break;
    } else {
      s.term.push_back(c);
    }
  }
  if (!closed)
    throw SfError(400, std::string(kCode), "No search term found. The search term must be enclosed in braces.");
  Parser(sosl, kCode, i).search_tail(s);
  return s;
}

Expr parse_condition(std::string_view text) {
  return Parser(text, "MALFORMED_QUERY").condition_only();
}

std::vector<OrderItem> parse_order_by(std::string_view text) {
  return Parser(text, "MALFORMED_QUERY").order_only();
}

} // namespace appconnect::crm_sandbox::salesforce::soql
