# SPDX-License-Identifier: BSD-3-Clause
"""The SELinux policy module (selinux/pam_okta_session.{te,if,fc}) compiles
against the installed reference policy headers (Debian: selinux-policy-dev)
with the same command the RPM spec runs (/usr/share/selinux/devel/Makefile:
m4, checkmodule, semodule_package), and the policy package it makes grants
what the README says and nothing more.

The rules are read back from the .pp itself (SELinux's own pp-to-CIL
converter, the one semodule uses), not from the sources: a quoting slip in
the m4 sources that silently drops rules shows here.

Then the package goes into a copy of Debian's reference policy store
(selinux-policy-default) with the subpackage's own %post and %postun
commands (semodule -X 200 -i / -r, with -p on a private root: the machine's
store is never touched), and the policy that semodule builds is queried
(sesearch, seinfo): every login domain's block is enabled there (its names
exist), the token file is no more readable than /etc/shadow, and cron gets
nothing. No kernel enforces it: this machine does not run SELinux (README:
compiled, not enforced-tested).
"""

import glob
import os
import shutil
import subprocess
import tempfile
import unittest

import taprunner

SRCDIR = os.environ.get("PAM_OKTA_SRCDIR") or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NAME = "pam_okta_session"
DEVEL_MAKEFILE = "/usr/share/selinux/devel/Makefile"
PP_TO_CIL = "/usr/libexec/selinux/hll/pp"
TOOLS = ("checkmodule", "semodule_package", "semodule_unpackage", "m4")
# Debian's reference policy, built into its store by selinux-policy-default.
STORE_NAME = "default"
STORE = "/var/lib/selinux/" + STORE_NAME
POLICY_TOOLS = ("semodule", "sesearch", "seinfo")

# The domains that load the module (README, "SELinux"). The su and sudo
# domains are per role in the reference policy; sudodomain is the attribute
# of every sudo domain.
LOGIN_DOMAINS = ("sshd_t", "local_login_t", "sysadm_su_t", "staff_su_t", "user_su_t", "auditadm_su_t",
                 "secadm_su_t", "sudodomain")
PROXY_PORTS = ("squid_port_t", "http_cache_port_t")
CONF_TYPE = "pam_okta_session_conf_t"
# The session watch daemon's domain (README "Session watch"): it reads the
# configuration and talks to Okta as the login domains do.
DAEMON = "pam_okta_sessiond_t"
DAEMON_RUNTIME = "pam_okta_sessiond_runtime_t"
BOOLEAN = "pam_okta_session_use_proxy"


def missing_tools(tools, paths):
    return [t for t in tools if shutil.which(t) is None] + [p for p in paths if not os.path.exists(p)]


def skip_or_fail(missing, packages):
    why = "missing %s (bash .ci/deps installs %s)" % (", ".join(missing), packages)
    if os.environ.get("CI", "").lower() == "true":
        raise AssertionError(why)
    raise unittest.SkipTest(why)


def run(argv, **kwargs):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)


def build_module(tmp):
    """Compiles selinux/ in a copy (the devel Makefile writes next to the
    sources, and make distcheck's source tree is read-only)."""
    for ext in ("te", "if", "fc"):
        shutil.copy(os.path.join(SRCDIR, "selinux", NAME + "." + ext), tmp)
    build = run(["make", "-f", DEVEL_MAKEFILE, NAME + ".pp"], cwd=tmp, env=dict(os.environ, MAKEFLAGS=""))
    return build, os.path.join(tmp, NAME + ".pp")


def parse_cil(text):
    """CIL text to nested lists of atoms (comments dropped)."""
    tokens = []
    for line in text.splitlines():
        line = line.split(";", 1)[0]
        tokens += line.replace("(", " ( ").replace(")", " ) ").split()
    stack = [[]]
    for tok in tokens:
        if tok == "(":
            stack.append([])
        elif tok == ")":
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(tok)
    assert len(stack) == 1, "unbalanced CIL"
    return stack[0]


def allow_rules(statements, conditional=False):
    """Every (allow ...) with whether it sits under a booleanif (and which)."""
    for st in statements:
        if not isinstance(st, list) or not st:
            continue
        if st[0] == "allow":
            yield st, conditional
        elif st[0] == "booleanif":
            for branch in st[2:]:
                yield from allow_rules(branch[1:], conditional=(st[1], branch[0]))
        elif st[0] in ("optional", "block", "in"):
            yield from allow_rules(st[2:], conditional)


def atoms(tree):
    for item in tree:
        if isinstance(item, list):
            yield from atoms(item)
        else:
            yield item


def grants(rules, source, target, cls, perm):
    """The conditions under which source gets perm on target:cls."""
    return [cond for rule, cond in rules
            if rule[1] == source and rule[2] == target and rule[3][0] == cls and perm in rule[3][1]]


class SelinuxModule(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = missing_tools(TOOLS, (DEVEL_MAKEFILE, PP_TO_CIL))
        if missing:
            skip_or_fail(missing, "selinux-policy-dev, checkpolicy, semodule-utils")
        cls.tmp = tempfile.mkdtemp(prefix="okta-selinux-")
        cls.build, cls.pp = build_module(cls.tmp)
        cls.cil = None
        if cls.build.returncode == 0:
            out = os.path.join(cls.tmp, NAME + ".cil")
            if run([PP_TO_CIL, cls.pp, out]).returncode == 0:
                with open(out) as f:
                    cls.cil = parse_cil(f.read())

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def need_cil(self):
        self.assertEqual(self.build.returncode, 0, self.build.stdout)
        self.assertIsNotNone(self.cil, "the .pp did not convert to CIL")

    def test_compiles_with_the_devel_makefile(self):
        self.assertEqual(self.build.returncode, 0, self.build.stdout)
        self.assertTrue(os.path.getsize(self.pp) > 0)

    def test_boolean_is_declared_and_off(self):
        self.need_cil()
        booleans = [st for st in self.cil if isinstance(st, list) and st[0] == "boolean"]
        self.assertEqual(booleans, [["boolean", BOOLEAN, "false"]])

    def test_config_type_is_an_auth_file(self):
        # Like shadow_t: not in the attributes that the many domains reading
        # configuration or non-security files are granted.
        self.need_cil()
        self.assertIn(["type", CONF_TYPE], self.cil)
        attributes = {st[1] for st in self.cil
                      if isinstance(st, list) and st[0] == "typeattributeset"
                      and st[1] != "cil_gen_require" and CONF_TYPE in atoms(st[2:])}
        self.assertEqual(attributes, {"file_type", "security_file_type", "auth_file_type"})

    def test_login_domains_connect_to_https_unconditionally(self):
        self.need_cil()
        rules = list(allow_rules(self.cil))
        for domain in LOGIN_DOMAINS:
            with self.subTest(domain=domain):
                self.assertIn(False, grants(rules, domain, "http_port_t", "tcp_socket", "name_connect"))

    def test_login_domains_read_config_and_certificates(self):
        self.need_cil()
        rules = list(allow_rules(self.cil))
        for domain in LOGIN_DOMAINS:
            for target in (CONF_TYPE, "cert_t"):
                with self.subTest(domain=domain, target=target):
                    self.assertIn(False, grants(rules, domain, target, "file", "read"))
                    self.assertIn(False, grants(rules, domain, target, "file", "open"))

    def test_proxy_ports_only_behind_the_boolean(self):
        self.need_cil()
        rules = list(allow_rules(self.cil))
        for domain in LOGIN_DOMAINS:
            for port in PROXY_PORTS:
                with self.subTest(domain=domain, port=port):
                    conds = grants(rules, domain, port, "tcp_socket", "name_connect")
                    self.assertEqual(conds, [([BOOLEAN], "true")])
        stray = [r for r, cond in rules if r[2] in PROXY_PORTS and cond != ([BOOLEAN], "true")]
        self.assertEqual(stray, [])

    def test_only_the_login_domains_connect_or_read_the_config(self):
        # (The name resolution interface also lets nscd and systemd-resolved
        # look at their clients: those rules are left out here.)
        self.need_cil()
        rules = list(allow_rules(self.cil))
        connecting = {r[1] for r, _ in rules if r[3][0] == "tcp_socket" and "name_connect" in r[3][1]}
        self.assertEqual(connecting, set(LOGIN_DOMAINS) | {DAEMON})
        reading = {r[1] for r, _ in rules if r[2] == CONF_TYPE}
        self.assertEqual(reading, set(LOGIN_DOMAINS) | {DAEMON})

    def test_watch_daemon_domain(self):
        """pam_okta_sessiond: Okta over HTTPS, the configuration, signals to
        the login's processes; the login domains connect to its socket and
        hand it their pidfd."""
        self.need_cil()
        rules = list(allow_rules(self.cil))
        self.assertIn(False, grants(rules, DAEMON, "http_port_t", "tcp_socket", "name_connect"))
        self.assertIn(False, grants(rules, DAEMON, CONF_TYPE, "file", "read"))
        self.assertIn(False, grants(rules, DAEMON, "self", "capability", "kill"))
        self.assertTrue(any(r[1] == DAEMON and r[3][0] == "process" and "sigkill" in r[3][1]
                            for r, cond in rules if cond is False), "kills a login's processes")
        for domain in LOGIN_DOMAINS:
            with self.subTest(domain=domain):
                self.assertIn(False, grants(rules, domain, DAEMON, "unix_stream_socket",
                                            "connectto"))
                self.assertIn(False, grants(rules, domain, DAEMON_RUNTIME, "sock_file", "write"))
                self.assertIn(False, grants(rules, DAEMON, domain, "fd", "use"))

    def test_cron_gets_nothing(self):
        self.need_cil()
        cron = sorted({a for a in atoms(self.cil) if "cron" in a})
        self.assertEqual(cron, [])

    def test_file_contexts_label_config_and_token(self):
        self.assertEqual(self.build.returncode, 0, self.build.stdout)
        mod = os.path.join(self.tmp, "unpacked.mod")
        fc = os.path.join(self.tmp, "unpacked.fc")
        out = run(["semodule_unpackage", self.pp, mod, fc])
        self.assertEqual(out.returncode, 0, out.stdout)
        with open(fc) as f:
            lines = [l.split() for l in f if l.strip() and not l.startswith("#")]
        self.assertEqual(lines, [["/etc/security/pam_okta_session[^/]*", "--",
                                  "system_u:object_r:%s:s0" % CONF_TYPE],
                                 ["/usr/sbin/pam_okta_sessiond", "--",
                                  "system_u:object_r:pam_okta_sessiond_exec_t:s0"],
                                 ["/run/pam_okta_session(/.*)?",
                                  "system_u:object_r:%s:s0" % DAEMON_RUNTIME]])


def rule_sources(policy, *args):
    """The source names (types or attributes, as written) of the rules
    sesearch finds; attributes of the target are matched too."""
    out = run(["sesearch", "-A"] + list(args) + [policy])
    assert out.returncode == 0, out.stdout
    return {line.split()[1] for line in out.stdout.splitlines() if line.startswith("allow ")}


class InReferencePolicy(unittest.TestCase):
    """The subpackage's scriptlet commands on a copy of Debian's policy store."""

    @classmethod
    def setUpClass(cls):
        missing = missing_tools(TOOLS + POLICY_TOOLS, (DEVEL_MAKEFILE, STORE))
        if missing:
            skip_or_fail(missing, "selinux-policy-default, setools, policycoreutils")
        cls.tmp = tempfile.mkdtemp(prefix="okta-selinux-store-")
        cls.build, pp = build_module(cls.tmp)
        root = os.path.join(cls.tmp, "root")
        shutil.copytree(STORE, root + STORE, symlinks=True)
        shutil.copytree("/etc/selinux", root + "/etc/selinux", symlinks=True)
        semodule = ["semodule", "-p", root, "-s", STORE_NAME, "-X", "200"]
        cls.install = run(semodule + ["-i", pp])
        cls.listed_after_install = run(semodule + ["-l"]).stdout.split()
        built = glob.glob(root + "/etc/selinux/%s/policy/policy.*" % STORE_NAME)
        cls.policy = os.path.join(cls.tmp, "policy.with-module")
        if built:
            shutil.copy(built[0], cls.policy)
        cls.remove = run(semodule + ["-r", NAME])
        cls.listed_after_remove = run(semodule + ["-l"]).stdout.split()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def need_policy(self):
        self.assertEqual(self.build.returncode, 0, self.build.stdout)
        self.assertEqual(self.install.returncode, 0, self.install.stdout)
        self.assertTrue(os.path.exists(self.policy), "semodule built no policy")

    def test_post_installs_and_postun_removes(self):
        self.need_policy()
        self.assertIn(NAME, self.listed_after_install)
        self.assertEqual(self.remove.returncode, 0, self.remove.stdout)
        self.assertNotIn(NAME, self.listed_after_remove)

    def test_boolean_is_off(self):
        self.need_policy()
        out = run(["seinfo", "-x", "-b", BOOLEAN, self.policy])
        self.assertIn("bool %s false;" % BOOLEAN, out.stdout)

    def test_every_login_domain_block_is_enabled(self):
        # A block whose domain the policy lacks is silently dropped at link
        # time: each domain named here must exist in the reference policy
        # and hold its rules there.
        self.need_policy()
        for domain in LOGIN_DOMAINS:
            with self.subTest(domain=domain):
                https = run(["sesearch", "-A", "-s", domain, "-ds", "-t", "http_port_t", "-dt",
                             "-c", "tcp_socket", "-p", "name_connect", self.policy]).stdout
                self.assertIn("allow %s http_port_t:tcp_socket name_connect;" % domain, https)
                proxy = run(["sesearch", "-A", "-s", domain, "-ds", "-t", "squid_port_t", "-dt",
                             "-c", "tcp_socket", "-p", "name_connect", self.policy]).stdout
                self.assertIn("[ %s ]:True" % BOOLEAN, proxy)

    def test_token_file_no_more_readable_than_shadow(self):
        self.need_policy()
        conf = rule_sources(self.policy, "-t", CONF_TYPE, "-c", "file", "-p", "read")
        shadow = rule_sources(self.policy, "-t", "shadow_t", "-c", "file", "-p", "read")
        self.assertEqual(conf - shadow - set(LOGIN_DOMAINS) - {DAEMON}, set())
        self.assertTrue(set(LOGIN_DOMAINS) <= conf)

    def test_cron_gets_nothing(self):
        self.need_policy()
        for cron in ("crond_t", "system_cronjob_t"):
            with self.subTest(domain=cron):
                # (Both may getattr every file_type, as the base policy has it.)
                self.assertEqual(rule_sources(self.policy, "-s", cron, "-t", CONF_TYPE, "-c", "file",
                                              "-p", "read"), set())
                self.assertEqual(rule_sources(self.policy, "-s", cron, "-b", BOOLEAN), set())


if __name__ == "__main__":
    taprunner.main()
