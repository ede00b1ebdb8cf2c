/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_okta_sessiond: the session watch daemon's entry point. Reads the
 * module's configuration file (the same reader, the same keys), logs to
 * syslog (and stderr in the foreground), and runs the watch loop
 * (okta_watch.c). Touches libpam nowhere.
 *
 *   pam_okta_sessiond [--config FILE] [--foreground] [--debug]
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "okta_config.h"
#include "okta_log.h"
#include "okta_watch.h"

/* Exit codes (pam_okta_sessiond(8)): 0 stopped by SIGTERM or SIGINT; 1
 * could not start (socket, state directory, libcurl); 2 bad command line
 * or configuration. */
#define EXIT_OK 0
#define EXIT_START_FAILED 1
#define EXIT_USAGE 2

static void syslog_sink(void *ctx, int priority, const char *fmt, va_list ap)
{
	(void)ctx;
	vsyslog(priority, fmt, ap);
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: pam_okta_sessiond [--config FILE] [--foreground] [--debug]\n"
		"  --config FILE  the module's configuration (default " OKTA_CONFIG_DEFAULT_PATH
		")\n"
		"  --foreground   do not detach; log to stderr as well as syslog\n"
		"  --debug        log debug lines\n");
}

/* The classic detach: fork, setsid, fork, stdio to /dev/null. */
static int detach(void)
{
	pid_t pid = fork();
	int null;

	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(EXIT_OK);
	if (setsid() < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0)
		_exit(EXIT_OK);
	if (chdir("/") != 0)
		return -1;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return -1;
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	dup2(null, STDERR_FILENO);
	close(null);
	return 0;
}

/*
 * Is stderr systemd's journal? systemd names the journal stream it gives
 * a service in JOURNAL_STREAM ("DEVICE:INODE"). There, syslog's lines
 * reach the journal already: LOG_PERROR's copy on stderr would log every
 * line, audit lines included, twice.
 */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;
	char extra;

	if (stream == NULL || sscanf(stream, "%llu:%llu%c", &dev, &ino, &extra) != 2)
		return false;
	if (fstat(STDERR_FILENO, &sb) != 0)
		return false;
	return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

int main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *conf_path = OKTA_CONFIG_DEFAULT_PATH;
	struct okta_logger logger = { syslog_sink, NULL, false };
	struct okta_config cfg;
	bool foreground = false;
	char err[512];
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "c:fdh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			conf_path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		case 'd':
			logger.debug = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	/* Sockets, state files: root's alone from the moment they exist. */
	umask(077);
	openlog("pam_okta_sessiond",
		LOG_PID | (foreground && !stderr_is_journal() ? LOG_PERROR : 0), LOG_AUTHPRIV);
	if (geteuid() != 0) {
		syslog(LOG_ERR, "must run as root");
		return EXIT_USAGE;
	}
	okta_config_init(&cfg);
	if (okta_config_load(conf_path, 0, &cfg, err, sizeof(err)) != 0) {
		syslog(LOG_ERR, "configuration: %s", err);
		okta_config_clear(&cfg);
		return EXIT_USAGE;
	}
	if (!cfg.watch)
		syslog(LOG_WARNING, "watch = no in %s: the module registers no login", conf_path);
	if (!foreground && detach() != 0) {
		syslog(LOG_ERR, "cannot detach: %s", strerror(errno));
		okta_config_clear(&cfg);
		return EXIT_START_FAILED;
	}
	rc = okta_watch_run(&cfg, &logger) == 0 ? EXIT_OK : EXIT_START_FAILED;
	okta_config_clear(&cfg);
	closelog();
	return rc;
}
