/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test driver: runs PAM steps for one user through real libpam, with the
 * tests' own service files (pam_start_confdir), answering every prompt
 * with the bytes read from standard input. Output is one line per event so
 * that the Python tests can assert on it:
 *   prompt <style> <text>
 *   step <name> <PAM_CODE_NAME> <int>
 *   env NAME=VALUE            (the whole PAM environment at the end)
 * With --answer-lines, prompt i is answered with line i of standard input
 * instead (a password, then an MFA answer...); a prompt beyond the last
 * line fails the conversation. --keep-going yes runs every step, also after
 * a failed one; --conv-again yes makes the conversation answer
 * PAM_CONV_AGAIN (a non-blocking application without an answer yet), and
 * --conv-rc N makes it answer code N (an application's own failure). The
 * step user=NAME sets PAM_USER on the same handle (login(1) does that
 * before retrying with another user); sleep=SECONDS waits (a login that
 * lasts, for the session watch); fork=SECONDS starts a child in its own
 * session that sleeps (a shell that outlives its killed parent);
 * forkin=SECONDS[:UID] one that stays in the driver's session, running as
 * UID when given (the shell of an interactive su, in its caller's session).
 * --rhost sets PAM_RHOST. --silent yes passes PAM_SILENT to pam_authenticate.
 * With --repeat N (for the benchmark) it runs N logins one after another in
 * this one process, each with its own PAM handle, answering the prompts of
 * login i with line i of standard input (one one-time token per line).
 *
 * What a login leaves in the process (tests/integration/test_leftovers.py):
 * --exec-check yes forks after every step and execs this driver in the
 * child, as an application that starts a program would; the child lists
 * every descriptor above 2 it inherited:
 *   inherited <step> <fd> <readlink of /proc/self/fd/N>
 * --dump-memory FILE writes, after pam_end, every private writable mapping
 * of this process but the main thread's stack (the heap, anonymous
 * mappings, the libraries' data) to FILE, for the test to search for
 * secrets. The driver wipes its own copies (standard input, the PAM
 * environment it printed) first and writes standard output unbuffered, so
 * that what is left is the module's, libpam's and the libraries'.
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <security/pam_appl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STDIN_MAX (2 * 1024 * 1024)

static const char *answer;
static char *answer_lines; /* --answer-lines: the lines not answered yet */
static int use_lines;
static int keep_going;        /* --keep-going yes */
static int conv_rc;           /* --conv-again yes, --conv-rc N: what the conversation answers */
static int auth_flags;        /* --silent yes: PAM_SILENT */
static int exec_check;        /* --exec-check yes */
static const char *self_path; /* argv[0], what --exec-check runs */

/* The answer to the next prompt, or NULL when the lines have run out (a
 * line counts only with its '\n'). */
static const char *next_answer(void)
{
	char *line = answer_lines;
	char *end;

	if (!use_lines)
		return answer;
	if (line == NULL || (end = strchr(line, '\n')) == NULL)
		return NULL;
	*end = '\0';
	answer_lines = end + 1;
	return line;
}

static const char *code_name(int rc)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ PAM_SUCCESS, "PAM_SUCCESS" },
		{ PAM_AUTH_ERR, "PAM_AUTH_ERR" },
		{ PAM_AUTHINFO_UNAVAIL, "PAM_AUTHINFO_UNAVAIL" },
		{ PAM_SERVICE_ERR, "PAM_SERVICE_ERR" },
		{ PAM_IGNORE, "PAM_IGNORE" },
		{ PAM_SESSION_ERR, "PAM_SESSION_ERR" },
		{ PAM_USER_UNKNOWN, "PAM_USER_UNKNOWN" },
		{ PAM_CONV_ERR, "PAM_CONV_ERR" },
		{ PAM_BUF_ERR, "PAM_BUF_ERR" },
		{ PAM_SYSTEM_ERR, "PAM_SYSTEM_ERR" },
		{ PAM_PERM_DENIED, "PAM_PERM_DENIED" },
		{ PAM_CRED_INSUFFICIENT, "PAM_CRED_INSUFFICIENT" },
		{ PAM_MAXTRIES, "PAM_MAXTRIES" },
		{ PAM_ABORT, "PAM_ABORT" },
		{ PAM_INCOMPLETE, "PAM_INCOMPLETE" },
		{ PAM_ACCT_EXPIRED, "PAM_ACCT_EXPIRED" },
		{ PAM_NEW_AUTHTOK_REQD, "PAM_NEW_AUTHTOK_REQD" },
		{ PAM_CRED_ERR, "PAM_CRED_ERR" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i].code == rc)
			return names[i].name;
	}
	return "PAM_OTHER";
}

static int converse(int n, const struct pam_message **msgs, struct pam_response **out, void *data)
{
	struct pam_response *replies;
	int i;

	(void)data;
	if (conv_rc != PAM_SUCCESS)
		return conv_rc;
	replies = calloc((size_t)n, sizeof(*replies));
	if (replies == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		printf("prompt %d %s\n", msgs[i]->msg_style,
		       msgs[i]->msg != NULL ? msgs[i]->msg : "");
		fflush(stdout);
		if (msgs[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msgs[i]->msg_style == PAM_PROMPT_ECHO_ON) {
			const char *text = next_answer();

			replies[i].resp = text != NULL ? strdup(text) : NULL;
			if (replies[i].resp == NULL) {
				while (i-- > 0)
					free(replies[i].resp);
				free(replies);
				return text != NULL ? PAM_BUF_ERR : PAM_CONV_ERR;
			}
		}
	}
	*out = replies;
	return PAM_SUCCESS;
}

/* read(2), not stdio: stdio's buffer would keep a copy of the answers
 * (passwords, tokens) that --dump-memory would find. */
static char *read_stdin(void)
{
	char *buf = malloc(STDIN_MAX + 1);
	size_t used = 0;
	ssize_t n;

	if (buf == NULL)
		return NULL;
	while (used < STDIN_MAX && (n = read(STDIN_FILENO, buf + used, STDIN_MAX - used)) != 0) {
		if (n < 0)
			break;
		used += (size_t)n;
	}
	buf[used] = '\0';
	return buf;
}

/* The child of --exec-check: every descriptor above 2 it inherited. */
static int list_inherited(const char *when)
{
	char path[64], target[PATH_MAX];
	struct dirent *entry;
	DIR *dir = opendir("/proc/self/fd");
	ssize_t n;
	int fd;

	if (dir == NULL)
		return 1;
	while ((entry = readdir(dir)) != NULL) {
		fd = atoi(entry->d_name);
		if (entry->d_name[0] == '.' || fd <= 2 || fd == dirfd(dir))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf("inherited %s %d %s\n", when, fd, target);
	}
	closedir(dir);
	return 0;
}

/* Fork and exec this driver as --list-fds, and wait for it. */
static void exec_child(const char *when)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execl(self_path, self_path, "--list-fds", when, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0)
		printf("inherited %s -1 the child failed\n", when);
	fflush(stdout);
}

/*
 * AddressSanitizer's shadow memory (x86_64: from 0x7fff8000 to
 * 0x10007fff8000, some 14 TiB mapped without backing): it holds only the
 * poison state of the bytes it shadows, never their contents, and reading
 * it all through /proc/self/mem would take hours. Not dumped in an ASan
 * build (GCC says __SANITIZE_ADDRESS__, clang __has_feature).
 */
#if defined(__SANITIZE_ADDRESS__)
#define DRIVER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DRIVER_ASAN 1
#endif
#endif
static int is_asan_shadow(unsigned long start, unsigned long end)
{
#if defined(DRIVER_ASAN) && defined(__x86_64__)
	return start >= 0x7fff8000UL && end <= 0x10007fff8000UL;
#else
	(void)start;
	(void)end;
	return 0;
#endif
}

/* Every private writable mapping but the main stack, into path. Read
 * through /proc/self/mem with a buffer on the stack (which is not dumped),
 * so that the copy being made is never itself part of what is copied. */
static int dump_memory(const char *path)
{
	char buf[64 * 1024];
	char line[PATH_MAX + 128];
	unsigned long start, end, at;
	char perms[8];
	int out, mem;
	FILE *maps;
	ssize_t n;

	out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	maps = fopen("/proc/self/maps", "re");
	if (out < 0 || mem < 0 || maps == NULL)
		return -1;
	while (fgets(line, sizeof(line), maps) != NULL) {
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) != 3 ||
		    strncmp(perms, "rw-p", 4) != 0 || strstr(line, "[stack]") != NULL ||
		    is_asan_shadow(start, end))
			continue;
		for (at = start; at < end; at += (unsigned long)n) {
			size_t want = end - at < sizeof(buf) ? end - at : sizeof(buf);

			n = pread(mem, buf, want, (off_t)at);
			if (n <= 0 || write(out, buf, (size_t)n) != n)
				break;
		}
	}
	explicit_bzero(buf, sizeof(buf));
	fclose(maps);
	close(mem);
	return close(out);
}

/* Step fork=SECONDS: a child in its own session that sleeps, as su's or
 * sshd's shell outlives a killed parent; forkin=SECONDS[:UID]: in this
 * session, as UID (-1: this process's). Prints "child PID" once the child
 * runs in its session and as its user: a test that kills this process
 * right after must find the child as it means it to be (on a loaded
 * machine the child was still root when the daemon looked). */
static int fork_child(unsigned seconds, bool own_session, long uid)
{
	int ready[2];
	char byte;
	pid_t child;

	if (pipe(ready) != 0)
		return PAM_SYSTEM_ERR;
	child = fork();
	if (child < 0) {
		close(ready[0]);
		close(ready[1]);
		return PAM_SYSTEM_ERR;
	}
	if (child == 0) {
		close(ready[0]);
		if (own_session)
			(void)setsid();
		if (uid >= 0 && (setresgid((gid_t)uid, (gid_t)uid, (gid_t)uid) != 0 ||
				 setresuid((uid_t)uid, (uid_t)uid, (uid_t)uid) != 0))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		close(ready[1]);
		sleep(seconds);
		_exit(0);
	}
	close(ready[1]);
	if (read(ready[0], &byte, 1) != 1) {
		close(ready[0]);
		return PAM_SYSTEM_ERR; /* the child could not become UID */
	}
	close(ready[0]);
	printf("child %d\n", (int)child);
	return PAM_SUCCESS;
}

static int run_step(pam_handle_t *pamh, const char *step)
{
	int rc;

	if (strcmp(step, "auth") == 0)
		rc = pam_authenticate(pamh, auth_flags);
	else if (strcmp(step, "setcred") == 0)
		rc = pam_setcred(pamh, PAM_ESTABLISH_CRED);
	else if (strcmp(step, "acct") == 0)
		rc = pam_acct_mgmt(pamh, 0);
	else if (strcmp(step, "open") == 0)
		rc = pam_open_session(pamh, 0);
	else if (strcmp(step, "close") == 0)
		rc = pam_close_session(pamh, 0);
	else if (strncmp(step, "user=", 5) == 0)
		rc = pam_set_item(pamh, PAM_USER, step + 5);
	else if (strncmp(step, "sleep=", 6) == 0)
		rc = (int)sleep((unsigned)atoi(step + 6)); /* a login that lasts */
	else if (strncmp(step, "fork=", 5) == 0)
		rc = fork_child((unsigned)atoi(step + 5), true, -1);
	else if (strncmp(step, "forkin=", 7) == 0)
		rc = fork_child((unsigned)atoi(step + 7), false,
				strchr(step, ':') != NULL ? atol(strchr(step, ':') + 1) : -1);
	else {
		fprintf(stderr, "pam_driver: unknown step '%s'\n", step);
		return -1;
	}
	printf("step %s %s %d\n", step, code_name(rc), rc);
	fflush(stdout);
	if (exec_check)
		exec_child(step);
	return rc;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pam_driver --confdir DIR --service NAME --user USER "
		"[--steps auth,setcred,acct,open,close] [--setenv NAME=VALUE]... [--repeat N]\n"
		"       [--rhost HOST] [--answer-lines yes] [--silent yes] [--keep-going yes] [--conv-again yes]\n"
		"       [--exec-check yes] [--dump-memory FILE] [--conv-rc N]\n"
		"       (steps user=NAME, sleep=SECONDS, fork=SECONDS, forkin=SECONDS[:UID])\n");
	exit(2);
}

/* One login: pam_start, the steps (stopping at the first failure unless
 * --keep-going), the
 * environment, pam_end. Returns 0, or 1 when pam_start fails. */
static int run_login(int argc, char **argv, const char *confdir, const char *service,
		     const char *user, const char *step_list)
{
	struct pam_conv conv = { converse, NULL };
	pam_handle_t *pamh = NULL;
	char *steps, *step, *save = NULL;
	char **env;
	int i, rc, last = PAM_SUCCESS;

	rc = pam_start_confdir(service, user, &conv, confdir, &pamh);
	if (rc != PAM_SUCCESS) {
		fprintf(stderr, "pam_driver: pam_start_confdir: %d\n", rc);
		return 1;
	}
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--setenv") == 0 &&
		    pam_putenv(pamh, argv[i + 1]) != PAM_SUCCESS) {
			fprintf(stderr, "pam_driver: pam_putenv failed\n");
			return 1;
		}
		if (strcmp(argv[i], "--rhost") == 0 &&
		    pam_set_item(pamh, PAM_RHOST, argv[i + 1]) != PAM_SUCCESS) {
			fprintf(stderr, "pam_driver: pam_set_item(PAM_RHOST) failed\n");
			return 1;
		}
	}
	steps = strdup(step_list);
	for (step = strtok_r(steps, ",", &save); step != NULL; step = strtok_r(NULL, ",", &save)) {
		last = run_step(pamh, step);
		if (last != PAM_SUCCESS && last != PAM_IGNORE && !keep_going)
			break;
	}
	env = pam_getenvlist(pamh);
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		printf("env %s\n", env[i]);
		explicit_bzero(env[i], strlen(env[i]));
		free(env[i]);
	}
	free(env);
	pam_end(pamh, last < 0 ? PAM_SYSTEM_ERR : last);
	free(steps);
	if (exec_check)
		exec_child("end");
	return 0;
}

int main(int argc, char **argv)
{
	const char *confdir = NULL, *service = NULL, *user = NULL;
	const char *steps = "auth";
	const char *dump_path = NULL;
	char *input, *line, *save = NULL;
	long repeat = 0, n;
	int i, rc = 0;

	if (argc == 3 && strcmp(argv[1], "--list-fds") == 0)
		return list_inherited(argv[2]);
	self_path = argv[0];
	for (i = 1; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--confdir") == 0)
			confdir = argv[++i];
		else if (strcmp(argv[i], "--service") == 0)
			service = argv[++i];
		else if (strcmp(argv[i], "--user") == 0)
			user = argv[++i];
		else if (strcmp(argv[i], "--steps") == 0)
			steps = argv[++i];
		else if (strcmp(argv[i], "--setenv") == 0 || strcmp(argv[i], "--rhost") == 0)
			++i; /* applied after pam_start */
		else if (strcmp(argv[i], "--answer-lines") == 0 &&
			 strcmp(argv[i + 1], "yes") == 0 && ++i > 0)
			use_lines = 1;
		else if (strcmp(argv[i], "--keep-going") == 0 && strcmp(argv[i + 1], "yes") == 0 &&
			 ++i > 0)
			keep_going = 1;
		else if (strcmp(argv[i], "--conv-again") == 0 && strcmp(argv[i + 1], "yes") == 0 &&
			 ++i > 0)
			conv_rc = PAM_CONV_AGAIN;
		else if (strcmp(argv[i], "--conv-rc") == 0 && (conv_rc = atoi(argv[++i])) > 0)
			continue;
		else if (strcmp(argv[i], "--silent") == 0 && strcmp(argv[i + 1], "yes") == 0 &&
			 ++i > 0)
			auth_flags = PAM_SILENT;
		else if (strcmp(argv[i], "--exec-check") == 0 && strcmp(argv[i + 1], "yes") == 0 &&
			 ++i > 0)
			exec_check = 1;
		else if (strcmp(argv[i], "--dump-memory") == 0)
			dump_path = argv[++i];
		else if (strcmp(argv[i], "--repeat") == 0 && (repeat = atol(argv[++i])) > 0)
			continue;
		else
			usage();
	}
	if (confdir == NULL || service == NULL || user == NULL)
		usage();
	if (dump_path != NULL)
		setvbuf(stdout, NULL, _IONBF, 0);
	input = read_stdin();
	if (input == NULL)
		return 1;
	if (repeat == 0) {
		answer = input;
		answer_lines = input;
		rc = run_login(argc, argv, confdir, service, user, steps);
	} else {
		line = strtok_r(input, "\n", &save);
		for (n = 0; n < repeat && rc == 0; n++) {
			answer = line != NULL ? line : "";
			rc = run_login(argc, argv, confdir, service, user, steps);
			line = strtok_r(NULL, "\n", &save);
		}
	}
	explicit_bzero(input, STDIN_MAX + 1);
	free(input);
	if (dump_path != NULL && dump_memory(dump_path) != 0) {
		fprintf(stderr, "pam_driver: cannot dump memory to %s\n", dump_path);
		return 1;
	}
	return rc;
}
