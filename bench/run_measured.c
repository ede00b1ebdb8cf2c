/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * run_measured REPORT_FILE COMMAND [ARG]...: runs COMMAND (stdin, stdout and
 * stderr inherited), waits for it and writes to REPORT_FILE one line
 *   <exit status> <wall us> <user CPU us> <system CPU us> <peak RSS KiB>
 * taken from wait4(), so CPU and peak RSS include the descendants COMMAND
 * waited for (pam_exec's script, its curl and jq runs).
 *
 * Why not measure from the Python benchmark directly: a process started by
 * Python begins life sharing (vfork) or copying (fork) the Python process's
 * memory, and Linux carries that memory's high-water mark across execve into
 * ru_maxrss. Started from this small program, the carried mark is this
 * program's, about 1 MiB.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long tv_us(struct timeval tv)
{
	return (long long)tv.tv_sec * 1000000 + tv.tv_usec;
}

int main(int argc, char **argv)
{
	struct rusage usage;
	long long start;
	FILE *report;
	pid_t pid;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: run_measured REPORT_FILE COMMAND [ARG]...\n");
		return 2;
	}
	start = now_us();
	pid = fork();
	if (pid < 0) {
		perror("run_measured: fork");
		return 1;
	}
	if (pid == 0) {
		execv(argv[2], argv + 2);
		perror("run_measured: execv");
		_exit(127);
	}
	if (wait4(pid, &status, 0, &usage) != pid) {
		perror("run_measured: wait4");
		return 1;
	}
	report = fopen(argv[1], "w");
	if (report == NULL) {
		perror("run_measured: report file");
		return 1;
	}
	fprintf(report, "%d %lld %lld %lld %ld\n",
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), now_us() - start,
		tv_us(usage.ru_utime), tv_us(usage.ru_stime), usage.ru_maxrss);
	return fclose(report) == 0 ? 0 : 1;
}
