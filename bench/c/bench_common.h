// Shared helpers of the C baselines: a monotonic clock and argument parsing. Output is one "name value" pair per
// line so bench/Sluice.Benchmarks can parse it.
#ifndef SLUICE_BENCH_COMMON_H
#define SLUICE_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>

static inline double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time the calling thread has used: what a consumer costs, whatever share of the CPU it was given. */
static inline double thread_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the whole process (every thread, user and system): what a syscall-bound job cost, however busy the
 * machine was around it. */
static inline double process_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline long arg_long(int argc, char **argv, int index, long fallback)
{
    return argc > index ? strtol(argv[index], NULL, 10) : fallback;
}

static inline void die(const char *what, int err)
{
    fprintf(stderr, "%s: %s\n", what, strerror(err < 0 ? -err : err));
    exit(1);
}

#endif
