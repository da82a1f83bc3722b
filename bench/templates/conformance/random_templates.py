#!/usr/bin/env python3
"""Random templates from text/template's grammar and confd's functions, with a fixed seed, so the
conformance suite also covers what nobody thought to write by hand. Used by generate.py; prints
the templates as JSON when run alone: random_templates.py [COUNT] [SEED]"""
import json, random, sys

# Functions whose results depend on the machine (environment, DNS, clock, files) are left out:
# their expectations could not be replayed. Everything else confd registers is in.
STRING_FUNCS = ["base", "dir", "toUpper", "toLower", "base64Encode", "base64Decode", "parseBool", "atoi",
                "getv", "exists", "ls", "lsdir", "getvs", "gets", "get", "json", "jsonArray", "html", "js",
                "urlquery", "len", "print", "println", "not"]
KEYS = ["/a", "/b", "/json", "/jarr", "/services", "/services/web", "/services/web/app1", "/services/web/*",
        "/services/web/*/*", "/services/web/app1/*", "/deep/a", "/deep/*/b/*/d", "/trail", "/trail/", "/", "",
        "/ü/ñ", "/nope", "/services/web/b/b@1", "/services//web", "/a/../b", "services/web", "/[", "/*"]
STRINGS = ["", "a", "abc", "a,b,c", "A b C", "héllo", "ß", "ǅ", "İ", "ﬃ", "Σ", "<a href='x'>&amp;</a>",
           "a\"b", "tab\there", "line\nbreak", "\u2028", "é~_.-", "1", "-12", "+7", "0x1F", "99999999999999999999",
           "true", "F", "yes", "aGVsbG8=", "aGVsbG8", "!!", "YQ==YQ==", "/x/y/", "a//b", "../c", ".", "x.tmpl",
           "[1,\"a\",null]", "{\"k\":[1,2.5e3,{\"z\":null}],\"b\":true}", "{\"a\":1,\"a\":2}", "[", "null",
           "%d", "%", "😀", "\x01", "\u00a0", "a b", "\\", "'"]
VERBS = list("vdsqxXobeEfFgGtcUT%") + ["w", "é"]


class Gen:
    def __init__(self, rng):
        self.r = rng
        self.vars = []
        self.in_range = 0

    def pick(self, xs):
        return self.r.choice(xs)

    def quote(self, s):
        out = '"'
        for ch in s:
            if ch == '"': out += '\\"'
            elif ch == '\\': out += '\\\\'
            elif ch == '\n': out += '\\n'
            elif ch == '\t': out += '\\t'
            elif ord(ch) < 0x20: out += '\\x%02x' % ord(ch)
            else: out += ch
        return out + '"'

    def string_literal(self):
        s = self.pick(STRINGS)
        if self.r.random() < 0.08 and '`' not in s and '\n' not in s:
            return '`' + s + '`'
        return self.quote(s)

    def number(self):
        return self.pick(["0", "1", "2", "3", "-1", "7", "10", "42", "255", "1000000", "-5", "0x1F", "0X10", "017",
                          "0o17", "0b101", "1_000", "+3", "1.5", "-2.25", "2.0", "1e3", "1e6", "0.1", ".5", "1e-7",
                          "'a'", "'\\n'", "'é'", "'\\x41'", "9223372036854775807", "-9223372036854775808", "1i",
                          "0x1p4", "100", "3", "4", "5", "6"])

    def constant(self):
        k = self.r.random()
        if k < 0.45: return self.number()
        if k < 0.85: return self.string_literal()
        if k < 0.95: return self.pick(["true", "false"])
        return "nil"

    def key(self):
        return self.quote(self.pick(KEYS))

    def operand(self, depth):
        k = self.r.random()
        if self.vars and k < 0.2:
            v = self.pick(self.vars)
            if self.r.random() < 0.1: v += self.pick([".Key", ".Value", ".a", ".port", ".o.x"])
            return v
        if k < 0.28: return self.pick([".", "$", ".Key", ".x"])
        if depth > 0 and k < 0.6: return "(" + self.call(depth - 1) + ")"
        return self.constant()

    def args(self, n, depth):
        return " ".join(self.operand(depth) for _ in range(n))

    def printf_format(self):
        parts = []
        for _ in range(self.r.randint(1, 4)):
            if self.r.random() < 0.3:
                parts.append(self.pick(["x", " ", "|", "é", "-"]))
                continue
            d = "%"
            d += "".join(self.r.sample("+- #0", self.r.randint(0, 2)))
            if self.r.random() < 0.1: d += "[%d]" % self.r.randint(0, 3)
            if self.r.random() < 0.4: d += self.pick(["1", "5", "8", "*", "12", "0"])
            if self.r.random() < 0.3: d += "." + self.pick(["0", "1", "2", "3", "*", ""])
            d += self.pick(VERBS)
            parts.append(d)
        return self.quote("".join(parts))

    def typed(self, kind, depth):
        """An argument of the Go type a parameter wants, most of the time; anything otherwise."""
        if self.r.random() < 0.1:
            return self.operand(depth)
        if kind == "string":
            if depth > 0 and self.r.random() < 0.3:
                return "(" + self.pick(["getv \"/a\"", "getv \"/b\"", "base \"/x/y\"", "printf \"%d\" 7",
                                        "toUpper \"ab\"", "index (split \"a,b\" \",\") 1", "print 1 2"]) + ")"
            return self.string_literal()
        if kind == "key":
            return self.key()
        if kind == "int":
            return self.int_arg(depth)
        if kind == "list":
            return self.collection(depth)
        return self.operand(depth)

    def call(self, depth):
        k = self.r.random()
        t = lambda kind: self.typed(kind, depth)
        if k < 0.18:
            return "printf %s %s" % (self.printf_format(), self.args(self.r.randint(0, 3), depth))
        if k < 0.26:
            return "%s %s" % (self.pick(["base", "dir", "toUpper", "toLower", "base64Encode", "base64Decode",
                                         "parseBool", "atoi", "html", "js", "urlquery", "len", "json", "jsonArray"]),
                              t("string"))
        if k < 0.34:
            return "%s %s" % (self.pick(["getv", "exists", "ls", "lsdir", "getvs", "gets", "get"]), t("key"))
        if k < 0.42:
            return "%s %s %s" % (self.pick(["add", "sub", "mul", "div", "mod", "seq"]), t("int"), t("int"))
        if k < 0.50:
            return "%s %s" % (self.pick(["eq", "ne", "lt", "le", "gt", "ge"]),
                              " ".join(t(self.pick(["int", "string"])) for _ in range(self.r.randint(2, 3))))
        if k < 0.58:
            return "%s %s" % (self.pick(["and", "or", "print", "println", "html", "js", "urlquery", "not"]),
                              self.args(self.r.randint(1, 3), depth))
        if k < 0.64:
            return "index %s %s" % (self.collection(depth), " ".join(t(self.pick(["int", "string"]))
                                                                     for _ in range(self.r.randint(0, 2))))
        if k < 0.68:
            return "slice %s %s" % (self.collection(depth), " ".join(self.pick(["0", "1", "2"])
                                                                     for _ in range(self.r.randint(0, 2))))
        if k < 0.72:
            return "%s %s %s" % (self.pick(["split", "contains", "trimSuffix"]), t("string"), t("string"))
        if k < 0.75:
            return "join %s %s" % (self.pick([self.collection(depth), "(split \"a,b\" \",\")", "(ls \"/services/web\")"]),
                                   t("string"))
        if k < 0.79:
            return "replace %s %s %s %s" % (t("string"), t("string"), t("string"), t("int"))
        if k < 0.85:
            return "%s %s" % (self.pick(["reverse", "sortByLength", "sortKVByLength", "len"]), self.collection(depth))
        if k < 0.89:
            return "map %s" % " ".join("%s %s" % (self.string_literal(), self.operand(depth))
                                        for _ in range(self.r.randint(0, 2)))
        if k < 0.94:
            return "getv %s %s" % (self.key(), self.string_literal())
        return self.operand(depth)

    def int_arg(self, depth):
        if depth > 0 and self.r.random() < 0.2:
            return "(" + self.pick(["len (ls \"/services/web\")", "atoi \"12\"", "add 1 2", "index (seq 3 5) 1"]) + ")"
        return self.pick(["0", "1", "2", "3", "-1", "5", "10", "-9223372036854775808", "9223372036854775807", "2.0",
                          "1e3", "'a'", "0x10", "1.5", '"3"', "-4", "4", "7", "0b11", "1_0", "017", "-3", "1e2"])

    def collection(self, depth):
        return "(" + self.pick(["split \"a,bb,c\" \",\"", "seq 1 4", "ls \"/services/web\"", "lsdir \"/services\"",
                                "gets \"/services/web/*/*\"", "getvs \"/services/web/*/*\"", "json (getv \"/json\")",
                                "jsonArray (getv \"/jarr\")", "jsonArray \"[1,[2,3],{\\\"a\\\":4}]\"", "map \"k\" 1 \"j\" 2",
                                "split \"\" \",\"", "sortKVByLength (gets \"/*\")", "reverse (split \"x,yy,z\" \",\")",
                                "getvs \"/nope/*\"", "\"abc\"", "get \"/a\""]) + ")"

    def pipeline(self, depth):
        p = self.call(depth)
        if self.r.random() < 0.15:
            p += " | " + self.pick(["printf \"%v\"", "len", "print", "html", "js", "urlquery", "printf \"[%s]\" \"x\"",
                                    "eq 1", "not", "toUpper"])
        return p

    def action(self, depth):
        lt = self.pick(["{{", "{{", "{{", "{{- "])
        rt = self.pick(["}}", "}}", "}}", " -}}"])
        k = self.r.random()
        if k < 0.12:
            name = "$v%d" % len(self.vars)
            s = "%s%s := %s%s" % (lt, name, self.pipeline(depth), rt)
            self.vars.append(name)
            return s
        if k < 0.16 and self.vars:
            return "%s%s = %s%s" % (lt, self.pick(self.vars), self.pipeline(depth), rt)
        if k < 0.19:
            return "%s/* %s */%s" % (lt if lt == "{{" else "{{- ", "c", rt if rt == "}}" else " -}}")
        if k < 0.22 and self.in_range:
            return self.pick(["{{break}}", "{{continue}}"])
        return "%s%s%s" % (lt, self.pipeline(depth), rt)

    def block(self, depth):
        k = self.r.random()
        saved = list(self.vars)
        try:
            if depth <= 0 or k < 0.55:
                return self.action(1)
            if k < 0.70:
                s = "{{if %s}}%s" % (self.pipeline(1), self.body(depth - 1))
                if self.r.random() < 0.3: s += "{{else if %s}}%s" % (self.pipeline(1), self.body(depth - 1))
                if self.r.random() < 0.5: s += "{{else}}%s" % self.body(depth - 1)
                return s + "{{end}}"
            if k < 0.85:
                decl = self.pick(["", "$i, $e := ", "$e := "])
                head = "{{range %s%s}}" % (decl, self.pick([self.collection(1), self.pipeline(1)]))
                if decl:
                    self.vars += [v for v in ["$i", "$e"] if v in decl]
                self.in_range += 1
                body = self.body(depth - 1)
                self.in_range -= 1
                s = head + body
                if self.r.random() < 0.3: s += "{{else}}%s" % self.body(depth - 1)
                return s + "{{end}}"
            if k < 0.93:
                decl = self.pick(["", "$w := "])
                head = "{{with %s%s}}" % (decl, self.pipeline(1))
                if decl: self.vars.append("$w")
                s = head + self.body(depth - 1)
                if self.r.random() < 0.3: s += "{{else}}%s" % self.body(depth - 1)
                return s + "{{end}}"
            return "{{template \"t\" %s}}" % self.operand(1)
        finally:
            self.vars = saved

    def body(self, depth):
        out = ""
        for _ in range(self.r.randint(1, 3)):
            if self.r.random() < 0.3: out += self.pick(["x", " ", "\n", "[", "]", "é", "  "])
            out += self.block(depth)
        return out

    def template(self):
        self.vars = []
        head = ""
        if self.r.random() < 0.25:
            head = "{{define \"t\"}}" + self.body(1) + "{{end}}"
        body = self.body(2)
        if "template \"t\"" in body and not head:
            head = "{{define \"t\"}}<{{.}}>{{end}}"
        return head + body


def generate(count, seed):
    rng = random.Random(seed)
    out, seen = [], set()
    while len(out) < count:
        t = Gen(rng).template()
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2026
    print(json.dumps(generate(count, seed), ensure_ascii=False, indent=1))
