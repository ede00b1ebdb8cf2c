/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stress driver: many full PAM transactions in ONE process, through real
 * libpam, optionally from several threads at once (each with its own PAM
 * handle). One transaction is pam_start_confdir, pam_authenticate,
 * pam_open_session, pam_close_session, pam_end, so the module is loaded,
 * used and unloaded every time, as in a long-running host process.
 *
 *   pam_stress --confdir DIR --service NAME --threads T --per-thread N
 *              [--rss-at K]...
 *
 * Standard input: T*N lines "USER TOKEN"; thread t runs lines t*N .. t*N+N-1.
 * Standard output, one line per event, for tests/test_stress.py:
 *   tx THREAD INDEX USER SESSION_ID    a transaction that fully succeeded
 *   fail THREAD INDEX USER STEP CODE   the step that failed (the thread goes on)
 *   fds WHEN COUNT                     open descriptors: start, warm (after the
 *                                      first transaction), end
 *   fdlist WHEN TARGET...              what they are (readlink of /proc/self/fd)
 *   rss AFTER_TRANSACTIONS KB          VmRSS, in single-thread runs, at each --rss-at
 * Exit status 0 when every transaction succeeded.
 */
#include "config.h"

#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <security/pam_appl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64
#define MAX_RSS_SAMPLES 16
#define LINE_MAX_BYTES 8192

struct job {
	char *user;
	char *token;
};

struct worker {
	pthread_t thread;
	int index;
	struct job *jobs; /* per_thread of them */
	int first;        /* index of the first job still to run */
	int failures;
};

static const char *confdir;
static const char *service;
static int per_thread;
static long rss_at[MAX_RSS_SAMPLES];
static int rss_samples;
static pthread_mutex_t output_lock = PTHREAD_MUTEX_INITIALIZER;

static void emit(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whole lines under one lock: threads must not interleave their output. */
static void emit(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&output_lock);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	pthread_mutex_unlock(&output_lock);
}

/* The token of this handle's job answers every prompt. */
static int converse(int n, const struct pam_message **msgs, struct pam_response **out, void *data)
{
	const char *token = data;
	struct pam_response *replies = calloc((size_t)n, sizeof(*replies));
	int i;

	if (replies == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++) {
		if (msgs[i]->msg_style != PAM_PROMPT_ECHO_OFF &&
		    msgs[i]->msg_style != PAM_PROMPT_ECHO_ON)
			continue;
		replies[i].resp = strdup(token);
		if (replies[i].resp == NULL) {
			while (i-- > 0)
				free(replies[i].resp);
			free(replies);
			return PAM_BUF_ERR;
		}
	}
	*out = replies;
	return PAM_SUCCESS;
}

/* One full transaction; returns true when every step succeeded. */
static bool run_transaction(int thread, int index, const struct job *job)
{
	struct pam_conv conv = { converse, job->token };
	pam_handle_t *pamh = NULL;
	const char *step = "start";
	const char *sid;
	char sid_copy[256] = "";
	int rc;

	rc = pam_start_confdir(service, job->user, &conv, confdir, &pamh);
	if (rc == PAM_SUCCESS) {
		step = "auth";
		rc = pam_authenticate(pamh, 0);
	}
	if (rc == PAM_SUCCESS) {
		sid = pam_getenv(pamh, "OKTA_SESSION_ID");
		snprintf(sid_copy, sizeof(sid_copy), "%s", sid != NULL ? sid : "-");
		step = "open";
		rc = pam_open_session(pamh, 0);
	}
	if (rc == PAM_SUCCESS) {
		step = "close";
		rc = pam_close_session(pamh, 0);
	}
	if (pamh != NULL)
		pam_end(pamh, rc);
	if (rc != PAM_SUCCESS) {
		emit("fail %d %d %s %s %d\n", thread, index, job->user, step, rc);
		return false;
	}
	emit("tx %d %d %s %s\n", thread, index, job->user, sid_copy);
	return true;
}

/* Open descriptors of this process (the directory stream's own excluded). */
static int count_fds(const char *when, bool list)
{
	char path[PATH_MAX], target[PATH_MAX], line[LINE_MAX_BYTES] = "";
	struct dirent *entry;
	DIR *dir = opendir("/proc/self/fd");
	int count = 0;
	ssize_t n;

	if (dir == NULL)
		return -1;
	while ((entry = readdir(dir)) != NULL) {
		if (entry->d_name[0] == '.' || atoi(entry->d_name) == dirfd(dir))
			continue;
		count++;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", entry->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		if (strlen(line) + strlen(entry->d_name) + strlen(target) + 3 < sizeof(line)) {
			strcat(line, " ");
			strcat(line, entry->d_name);
			strcat(line, "=");
			strcat(line, target);
		}
	}
	closedir(dir);
	emit("fds %s %d\n", when, count);
	if (list)
		emit("fdlist %s%s\n", when, line);
	return count;
}

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	}
	fclose(f);
	return kb;
}

static void sample_rss(long done)
{
	int i;

	for (i = 0; i < rss_samples; i++) {
		if (rss_at[i] == done)
			emit("rss %ld %ld\n", done, rss_kb());
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = w->first; i < per_thread; i++) {
		if (!run_transaction(w->index, i, &w->jobs[i]))
			w->failures++;
		sample_rss(i + 1);
	}
	return NULL;
}

static struct job *read_jobs(int total)
{
	struct job *jobs = calloc((size_t)total, sizeof(*jobs));
	char line[LINE_MAX_BYTES];
	char *user, *token, *save;
	int i;

	if (jobs == NULL)
		return NULL;
	for (i = 0; i < total; i++) {
		if (fgets(line, sizeof(line), stdin) == NULL) {
			fprintf(stderr, "pam_stress: only %d of %d job lines on stdin\n", i, total);
			exit(2);
		}
		user = strtok_r(line, " \n", &save);
		token = strtok_r(NULL, " \n", &save);
		if (user == NULL || token == NULL) {
			fprintf(stderr, "pam_stress: job line %d is not 'USER TOKEN'\n", i + 1);
			exit(2);
		}
		jobs[i].user = strdup(user);
		jobs[i].token = strdup(token);
		if (jobs[i].user == NULL || jobs[i].token == NULL)
			exit(2);
	}
	return jobs;
}

static void free_jobs(struct job *jobs, int total)
{
	int i;

	for (i = 0; i < total; i++) {
		free(jobs[i].user);
		free(jobs[i].token);
	}
	free(jobs);
}

static void usage(void)
{
	fprintf(stderr, "usage: pam_stress --confdir DIR --service NAME --threads T "
			"--per-thread N [--rss-at K]...\n");
	exit(2);
}

static void parse_args(int argc, char **argv, int *threads)
{
	static const struct option options[] = {
		{ "confdir", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "threads", required_argument, NULL, 't' },
		{ "per-thread", required_argument, NULL, 'n' },
		{ "rss-at", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			confdir = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 't':
			*threads = atoi(optarg);
			break;
		case 'n':
			per_thread = atoi(optarg);
			break;
		case 'r':
			if (rss_samples == MAX_RSS_SAMPLES)
				usage();
			rss_at[rss_samples++] = atol(optarg);
			break;
		default:
			usage();
		}
	}
	if (optind != argc || confdir == NULL || service == NULL || *threads < 1 ||
	    *threads > MAX_THREADS || per_thread < 1)
		usage();
}

int main(int argc, char **argv)
{
	struct worker workers[MAX_THREADS];
	struct job *jobs;
	int threads = 1, failures = 0, i;

	parse_args(argc, argv, &threads);
	if (threads > 1)
		rss_samples = 0; /* per-thread counts say nothing about the process */
	jobs = read_jobs(threads * per_thread);
	count_fds("start", true);
	if (threads == 1) {
		/* The first transaction warms up what stays for the process'
		 * lifetime (syslog socket, libraries); leaks show after it. */
		workers[0] = (struct worker){ .index = 0, .jobs = jobs, .first = 1 };
		if (!run_transaction(0, 0, &jobs[0]))
			workers[0].failures++;
		sample_rss(1);
		count_fds("warm", true);
		work(&workers[0]);
		failures = workers[0].failures;
	} else {
		for (i = 0; i < threads; i++) {
			workers[i] = (struct worker){ .index = i, .jobs = jobs + i * per_thread };
			if (pthread_create(&workers[i].thread, NULL, work, &workers[i]) != 0) {
				fprintf(stderr, "pam_stress: pthread_create failed\n");
				return 2;
			}
		}
		for (i = 0; i < threads; i++) {
			pthread_join(workers[i].thread, NULL);
			failures += workers[i].failures;
		}
	}
	count_fds("end", true);
	free_jobs(jobs, threads * per_thread);
	return failures == 0 ? 0 : 1;
}
