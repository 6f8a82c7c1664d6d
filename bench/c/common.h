/* What the C benchmark peers share: failing loudly, a monotonic clock, and
 * the transport name of an endpoint for the JSON line. Each program sets
 * bench_name before anything can fail. */
#ifndef ZMQ_BENCH_COMMON_H
#define ZMQ_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

static const char *bench_name = "bench";

static void die(const char *what) {
  fprintf(stderr, "%s: %s: %s\n", bench_name, what, zmq_strerror(zmq_errno()));
  exit(1);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

__attribute__((unused)) static const char *transport_of(const char *endpoint) {
  static char t[16];
  const char *p = strstr(endpoint, "://");
  size_t n = p ? (size_t)(p - endpoint) : 0;
  if (n >= sizeof t) n = sizeof t - 1;
  memcpy(t, endpoint, n);
  t[n] = 0;
  return t;
}

/* Forks the peer process. In the child (0 returned) the peer dies with its
 * parent, so a killed benchmark leaves no stragglers. Exits on failure. */
__attribute__((unused)) static pid_t fork_peer(void) {
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() == 1) _exit(1);
  }
  return pid;
}

#endif
