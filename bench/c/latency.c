/*
 * REQ <-> REP round trip with libzmq used directly: the C reference for the
 * benchmarks in ../.
 *
 *   latency <endpoint> <size> <count> [--warmup N]
 *
 * Two processes: the process forks before creating any zmq context; the
 * parent binds a REQ on <endpoint> (a wildcard port or ipc path is fine),
 * the child connects a REP to it and echoes. The parent does N warm-up round
 * trips (default 100, not timed: they include connection setup), then
 * <count> timed round trips.
 *
 * Prints one JSON line:
 * {"impl":"c","test":"latency","transport":..,"size":..,"count":..,"rtt_us":..}
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "common.h"

int main(int argc, char **argv) {
  bench_name = "latency";
  if (argc < 4) {
    fprintf(stderr, "usage: %s <endpoint> <size> <count> [--warmup N]\n", argv[0]);
    return 2;
  }
  const char *endpoint = argv[1];
  size_t size = (size_t)strtoull(argv[2], NULL, 10);
  long count = strtol(argv[3], NULL, 10);
  long warmup = 100;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) warmup = strtol(argv[++i], NULL, 10);
    else {
      fprintf(stderr, "latency: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (count <= 0 || warmup < 0) {
    fprintf(stderr, "latency: count must be > 0\n");
    return 2;
  }
  if (strncmp(endpoint, "inproc://", 9) == 0) {
    fprintf(stderr, "latency: inproc cannot cross processes\n");
    return 2;
  }
  long total = count + warmup;

  int ep_pipe[2];
  if (pipe(ep_pipe) < 0) {
    perror("pipe");
    return 1;
  }
  pid_t pid = fork_peer();
  if (pid == 0) {
    /* child: REP echo, connects to the endpoint the parent bound */
    close(ep_pipe[1]);
    char ep[256];
    ssize_t n = 0, r;
    while ((r = read(ep_pipe[0], ep + n, sizeof ep - 1 - (size_t)n)) > 0) n += r;
    close(ep_pipe[0]);
    if (n <= 0) _exit(1);
    ep[n] = 0;
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    if (!rep) die("zmq_socket");
    if (zmq_connect(rep, ep) < 0) die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (long i = 0; i < total; i++) {
      if (zmq_msg_recv(&msg, rep, 0) < 0) die("zmq_msg_recv");
      if (zmq_msg_send(&msg, rep, 0) < 0) die("zmq_msg_send");
    }
    zmq_msg_close(&msg);
    zmq_close(rep);
    zmq_ctx_term(ctx);
    _exit(0);
  }
  /* parent: REQ binds, timed */
  close(ep_pipe[0]);
  void *ctx = zmq_ctx_new();
  void *req = zmq_socket(ctx, ZMQ_REQ);
  if (!req) die("zmq_socket");
  if (zmq_bind(req, endpoint) < 0) die("zmq_bind");
  char ep[256];
  size_t len = sizeof ep;
  if (zmq_getsockopt(req, ZMQ_LAST_ENDPOINT, ep, &len) < 0) die("ZMQ_LAST_ENDPOINT");
  if (write(ep_pipe[1], ep, strlen(ep)) < 0) perror("write");
  close(ep_pipe[1]);
  char *buf = calloc(1, size ? size : 1);
  char *rbuf = malloc(size ? size : 1);
  double start = 0;
  for (long i = 0; i < total; i++) {
    if (i == warmup) start = now_s();
    if (zmq_send(req, buf, size, 0) < 0) die("zmq_send");
    int got = zmq_recv(req, rbuf, size, 0);
    if (got < 0) die("zmq_recv");
    if ((size_t)got != size) {
      fprintf(stderr, "latency: wrong reply size %d\n", got);
      return 1;
    }
  }
  double elapsed = now_s() - start;
  free(buf);
  free(rbuf);
  int status;
  waitpid(pid, &status, 0);
  zmq_close(req);
  zmq_ctx_term(ctx);
  printf("{\"impl\":\"c\",\"test\":\"latency\",\"transport\":\"%s\",\"mode\":\"two-process\",\"size\":%zu,"
         "\"count\":%ld,\"rtt_us\":%.2f}\n",
         transport_of(endpoint), size, count, elapsed / (double)count * 1e6);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
