#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""The documentation says what the code has, under the code's spelling.

Names come from the code: the configuration keys (the key table of
src/okta_config.c), the module arguments (parse_args in
src/pam_okta_session.c), the check tool's long options and exit codes
(src/pam_okta_session_check.c). Then:

- each man page's reference section (a .TP entry per name) lists exactly
  those names: none missing, none the code lacks;
- every `key = value` line in conf/ and in the man pages' and Markdown
  files' examples names a real key, and every argument after
  pam_okta_session.so in a PAM line is a real argument;
- in README.md's configuration text every backticked snake_case word is a
  key or an argument, and anywhere in the Markdown files and man pages a
  word spelt like a key (one or two letters off, other separators or case)
  is that key;
- relative links between the Markdown files reach a file and, where they
  name one, a heading.

tests/test_man.sh checks that the pages render cleanly. TAP output.
"""

import glob
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import taprunner  # noqa: E402

SRCDIR = os.environ.get("PAM_OKTA_SRCDIR") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
MARKDOWN = ["README.md", "HACKING.md", "SECURITY.md", "tests/README.md",
            "tests/lib/README.md", "tests/sim/README.md", "bench/RESULTS.md"]
MAN_PAGES = ["man/pam_okta_session.8", "man/pam_okta_session.conf.5",
             "man/pam_okta_session_check.8", "man/pam_okta_sessiond.8"]
SNAKE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def read(rel):
    with open(os.path.join(SRCDIR, rel), encoding="utf-8") as f:
        return f.read()


def c_block(text, anchor):
    """The brace-enclosed initializer around the first `anchor` in `text`."""
    at = text.index(anchor)
    start = text.rindex("= {", 0, at)
    end = text.index("};", at)
    return text[start:end]


def code_keys():
    """Configuration keys: the string literals of the key table (a list of
    names, or rows whose first member is the name)."""
    block = c_block(read("src/okta_config.c"), '"org_url"')
    rows = re.findall(r'\{\s*(?:\.\w+\s*=\s*)?"([a-z_]+)"\s*,', block)
    return rows if len(rows) > 1 else re.findall(r'"([a-z_]+)"', block)


def code_arguments():
    """Module arguments: the literals parse_args compares argv[i] with."""
    text = read("src/pam_okta_session.c")
    body = text[text.index("parse_args("):]
    body = body[:body.index("\n}\n")]
    return [a.rstrip("=") for a in re.findall(r'argv\[i\],\s*"([a-z_]+=?)"', body)]


def code_options(source="src/pam_okta_session_check.c"):
    text = read(source)
    return re.findall(r'\{\s*"([a-z-]+)",\s*(?:no|required|optional)_argument', text)


def code_exit_codes(source="src/pam_okta_session_check.c"):
    text = read(source)
    return sorted(set(re.findall(r"^#define EXIT_[A-Z_]+\s+(\d+)", text, re.M)))


DAEMON_SOURCE = "src/pam_okta_sessiond.c"


def man_tags(page, section):
    """The tag (first word) of each .TP entry in SECTION of a roff page."""
    lines = read(page).split("\n")
    tags, inside = [], False
    for i, line in enumerate(lines):
        if line.startswith(".SH "):
            inside = line[4:].strip().strip('"') == section
        elif inside and line.startswith(".TP") and i + 1 < len(lines):
            m = re.match(r'\.(?:B|BI|BR|I|IR|IB)\s+"?([^\s"]+)', lines[i + 1])
            tags.append((m.group(1) if m else lines[i + 1]).replace("\\-", "-"))
    return tags


def man_examples(page):
    """Lines between .EX and .EE, roff escapes of '-' undone."""
    out, inside = [], False
    for line in read(page).split("\n"):
        if line.startswith(".EX"):
            inside = True
        elif line.startswith(".EE"):
            inside = False
        elif inside:
            out.append(line.replace("\\-", "-").replace("\\e", "\\"))
    return out


def markdown_code_lines(rel):
    out, inside = [], False
    for line in read(rel).split("\n"):
        if line.lstrip().startswith("```"):
            inside = not inside
        elif inside:
            out.append(line)
    return out


def example_sources():
    """(where, lines) of everything written as configuration or PAM lines."""
    yield "conf/pam_okta_session.conf", read("conf/pam_okta_session.conf").split("\n")
    for f in sorted(glob.glob(os.path.join(SRCDIR, "conf/pam.d/*"))):
        yield os.path.relpath(f, SRCDIR), read(os.path.relpath(f, SRCDIR)).split("\n")
    for page in MAN_PAGES:
        yield page + " (examples)", man_examples(page)
    for md in MARKDOWN:
        yield md + " (code blocks)", markdown_code_lines(md)


def setting_name(line):
    """`key = value` (or `#key = value`, commented out): the key, else None."""
    m = re.match(r"^\s*#?\s*([a-z][a-z0-9_]*)\s*=\s*\S", line)
    return m.group(1) if m else None


def module_arguments_used(line):
    """The arguments after pam_okta_session.so on a PAM line, if any."""
    m = re.search(r"pam_okta_session\.so\b(.*)", line.lstrip("#"))
    if not m or not re.match(r"^\s*#?\s*(auth|account|session|password)\b", line):
        return []
    words = []
    for w in m.group(1).split():
        if w.startswith("#") or w.startswith("{"):
            break
        words.append(w.strip("[]").split("=")[0].split("|")[0])
    return [w for w in words if w and w not in ("...",)]


def section(text, heading):
    """Markdown text from `heading` to the next heading of the same level."""
    level = heading.split()[0]
    start = text.index("\n" + heading + "\n")
    rest = text[start + len(heading) + 2:]
    m = re.search(r"^%s " % re.escape(level), rest, re.M)
    return rest[:m.start()] if m else rest


def near_miss(word, name):
    """`word` looks like `name` but is not it: other case or separators,
    or one or two letters off (edit distance)."""
    if word == name:
        return False
    squash = lambda s: re.sub(r"[-_ ]", "", s.lower())
    if "_" in name and squash(word) == squash(name):
        return True
    if abs(len(word) - len(name)) > 2 or min(len(word), len(name)) < 6:
        return False
    prev = list(range(len(name) + 1))
    for i, a in enumerate(word, 1):
        cur = [i]
        for j, b in enumerate(name, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1] <= 2


def github_anchor(heading):
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


class CodeNames(unittest.TestCase):
    """The extraction itself: a refactoring that hides the names from it
    must fail here, not make every other test pass on an empty list."""

    def test_found_the_names_in_the_code(self):
        self.assertGreaterEqual(len(code_keys()), 17, code_keys())
        self.assertIn("org_url", code_keys())
        self.assertGreaterEqual(len(code_arguments()), 4, code_arguments())
        self.assertIn("use_first_pass", code_arguments())
        self.assertGreaterEqual(len(code_options()), 9, code_options())
        self.assertIn("pam-stack", code_options())
        self.assertEqual(code_exit_codes(), ["0", "1", "2", "3"])


class ManPagesMatchCode(unittest.TestCase):
    def assert_same(self, documented, code, what, page):
        self.assertEqual(sorted(set(documented) - set(code)), [],
                         "%s lists %ss the code does not have" % (page, what))
        self.assertEqual(sorted(set(code) - set(documented)), [],
                         "%s lacks %ss the code has" % (page, what))

    def test_conf5_keys(self):
        self.assert_same(man_tags("man/pam_okta_session.conf.5", "KEYS"),
                         code_keys(), "key", "pam_okta_session.conf(5) KEYS")

    def test_module_arguments(self):
        tags = [t.rstrip("=") for t in man_tags("man/pam_okta_session.8", "OPTIONS")]
        self.assert_same(tags, code_arguments(), "argument", "pam_okta_session(8) OPTIONS")

    def test_check_tool_options(self):
        tags = [t[2:] for t in man_tags("man/pam_okta_session_check.8", "OPTIONS")
                if t.startswith("--")]
        self.assert_same(tags, code_options(), "option", "pam_okta_session_check(8) OPTIONS")

    def test_check_tool_exit_codes(self):
        self.assert_same(man_tags("man/pam_okta_session_check.8", "EXIT STATUS"),
                         code_exit_codes(), "exit code", "pam_okta_session_check(8) EXIT STATUS")

    def test_daemon_options(self):
        tags = [t[2:] for t in man_tags("man/pam_okta_sessiond.8", "OPTIONS")
                if t.startswith("--")]
        self.assert_same(tags, code_options(DAEMON_SOURCE), "option",
                         "pam_okta_sessiond(8) OPTIONS")

    def test_daemon_exit_codes(self):
        self.assert_same(man_tags("man/pam_okta_sessiond.8", "EXIT STATUS"),
                         code_exit_codes(DAEMON_SOURCE), "exit code",
                         "pam_okta_sessiond(8) EXIT STATUS")

    def test_readme_exit_codes(self):
        # The README's troubleshooting names every exit code of the tool.
        text = section(read("README.md"), "## Troubleshoot")
        for code in code_exit_codes():
            self.assertRegex(text, r"\b%s: " % code, "README.md, Troubleshoot: exit %s" % code)


class ExamplesUseRealNames(unittest.TestCase):
    def test_key_value_lines_name_real_keys(self):
        keys, bad = set(code_keys()), []
        for where, lines in example_sources():
            for n, line in enumerate(lines, 1):
                name = setting_name(line)
                # sshd_config and sudoers lines have no " = "; skip the
                # few other key=value grammars by their leading word.
                if name and name not in keys and " = " in line:
                    bad.append("%s: %r" % (where, line.strip()))
        self.assertEqual(bad, [], "key = value lines with a key the code does not have")

    def test_pam_lines_use_real_arguments(self):
        args, bad = set(code_arguments()), []
        for where, lines in example_sources():
            for line in lines:
                for word in module_arguments_used(line):
                    if word not in args:
                        bad.append("%s: %r (%s)" % (where, line.strip(), word))
        self.assertEqual(bad, [], "PAM lines with an argument the module does not have")

    def test_readme_has_examples(self):
        # The extraction above sees the README's examples at all.
        names = {setting_name(l) for l in markdown_code_lines("README.md")}
        self.assertTrue({"require_group", "sign_in"} <= names, names)


class ProseUsesRealNames(unittest.TestCase):
    def test_readme_configuration_text_names_real_keys(self):
        known = set(code_keys()) | set(code_arguments())
        text = section(read("README.md"), "## Configure")
        words = set(re.findall(r"`([a-z][a-z0-9_]*)(?: = [^`]*)?`", text))
        bad = sorted(w for w in words if SNAKE.match(w) and w not in known)
        self.assertEqual(bad, [], "README.md, Configure: backticked words that are no key or argument")

    def test_no_misspelt_key_anywhere(self):
        names = set(code_keys()) | set(code_arguments())
        bad = []
        sources = [(md, read(md)) for md in MARKDOWN] + \
            [(p, read(p).replace("\\-", "-")) for p in MAN_PAGES] + \
            [("conf/pam_okta_session.conf", read("conf/pam_okta_session.conf"))]
        for where, text in sources:
            # The log line for a misspelt key quotes the misspelling.
            text = re.sub(r"unknown key '[^']*'", "", text)
            # An audit line's outcome is a value, not a key (kept_alive).
            text = re.sub(r"outcome=[a-z_|]+", "", text)
            for word in set(re.findall(r"[A-Za-z][A-Za-z0-9_-]*[A-Za-z0-9]", text)):
                if word in names or not re.search(r"[_A-Z]", word[1:]):
                    continue  # a real name, or a plain (or hyphenated) word
                for name in names:
                    if near_miss(word, name):
                        bad.append("%s: %s (for %s?)" % (where, word, name))
        self.assertEqual(sorted(bad), [], "words spelt like a key or argument but not one")


class LinksResolve(unittest.TestCase):
    def test_relative_links(self):
        bad = []
        for md in MARKDOWN:
            for target in re.findall(r"\]\(([^)\s]+)\)", read(md)):
                if re.match(r"^[a-z]+:", target):
                    continue
                path, _, anchor = target.partition("#")
                dest = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
                if not os.path.exists(os.path.join(SRCDIR, dest)):
                    bad.append("%s: %s (no such file)" % (md, target))
                    continue
                if anchor and dest.endswith(".md"):
                    heads = [github_anchor(h) for h in
                             re.findall(r"^#+ (.*)$", read(dest), re.M)]
                    if anchor not in heads:
                        bad.append("%s: %s (no such heading)" % (md, target))
        self.assertEqual(bad, [], "links that lead nowhere")


if __name__ == "__main__":
    taprunner.main()
