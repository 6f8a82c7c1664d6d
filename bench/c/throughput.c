/*
 * PUSH -> PULL throughput with libzmq used directly: the C reference for the
 * benchmarks in ../.
 *
 *   throughput <endpoint> <size> <count> [--fork | --threads] [--warmup N]
 *
 * endpoint  where the PULL binds: tcp://127.0.0.1:* (wildcard port allowed),
 *           ipc:///tmp/x.ipc, inproc://name (inproc implies --threads)
 * --fork    (default for tcp/ipc) receiver and sender in two processes; the
 *           process forks before creating any zmq context
 * --threads one process, one context, sender in a second thread
 * --warmup  N messages more are sent first, received before the clock starts
 *
 * The receiver times from the first message after the warm-up to the last
 * one and reports count / elapsed. The sender keeps its socket open until the
 * receiver has counted every message (libzmq 4.3.4 can drop the tail over
 * ipc when a PUSH closes early, libzmq issue #4660).
 *
 * Prints one JSON line:
 * {"impl":"c","test":"throughput","transport":..,"mode":"two-process"|"one-process",
 *  "size":..,"count":..,"msgs_per_s":..,"mb_per_s":..}
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
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

static size_t msg_size;
static long msg_count;
static long warmup_count;

/* Sends warmup_count + msg_count messages of msg_size bytes on a connected PUSH. */
static void send_all(void *push) {
  char *buf = calloc(1, msg_size ? msg_size : 1);
  for (long i = 0; i < warmup_count + msg_count; i++) {
    if (zmq_send(push, buf, msg_size, 0) < 0) die("zmq_send");
  }
  free(buf);
}

/* Receives warmup_count + msg_count messages on a bound PULL; returns elapsed
 * seconds from the first message after the warm-up to the last. */
static double recv_all(void *pull) {
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  double start = 0;
  for (long i = 0; i < warmup_count + msg_count; i++) {
    if (zmq_msg_recv(&msg, pull, 0) < 0) die("zmq_msg_recv");
    if (i == warmup_count) start = now_s();
    if (zmq_msg_size(&msg) != msg_size) {
      fprintf(stderr, "throughput: wrong message size %zu\n", zmq_msg_size(&msg));
      exit(1);
    }
  }
  double elapsed = now_s() - start;
  zmq_msg_close(&msg);
  return elapsed;
}

static void report(const char *endpoint, const char *mode, double elapsed) {
  if (elapsed <= 0) elapsed = 1e-9;
  double rate = (double)msg_count / elapsed;
  printf("{\"impl\":\"c\",\"test\":\"throughput\",\"transport\":\"%s\","
         "\"mode\":\"%s\",\"size\":%zu,\"count\":%ld,\"msgs_per_s\":%.0f,"
         "\"mb_per_s\":%.1f}\n",
         transport_of(endpoint), mode, msg_size, msg_count, rate,
         rate * (double)msg_size / 1e6);
  fflush(stdout);
}

/* ---- one process, two threads ---- */

struct thread_args {
  void *ctx;
  char endpoint[256];
  sem_t done;
};

static void *sender_thread(void *p) {
  struct thread_args *a = p;
  void *push = zmq_socket(a->ctx, ZMQ_PUSH);
  if (!push) die("zmq_socket");
  if (zmq_connect(push, a->endpoint) < 0) die("zmq_connect");
  send_all(push);
  while (sem_wait(&a->done) < 0 && errno == EINTR) {
  }
  zmq_close(push);
  return NULL;
}

static int run_threads(const char *endpoint) {
  struct thread_args a;
  a.ctx = zmq_ctx_new();
  if (!a.ctx) die("zmq_ctx_new");
  sem_init(&a.done, 0, 0);
  void *pull = zmq_socket(a.ctx, ZMQ_PULL);
  if (!pull) die("zmq_socket");
  if (zmq_bind(pull, endpoint) < 0) die("zmq_bind");
  size_t len = sizeof a.endpoint;
  if (zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, a.endpoint, &len) < 0) die("ZMQ_LAST_ENDPOINT");
  pthread_t t;
  pthread_create(&t, NULL, sender_thread, &a);
  double elapsed = recv_all(pull);
  sem_post(&a.done);
  pthread_join(t, NULL);
  zmq_close(pull);
  zmq_ctx_term(a.ctx);
  report(endpoint, "one-process", elapsed);
  return 0;
}

/* ---- two processes ---- */

static int run_fork(const char *endpoint) {
  int ep_pipe[2], done_pipe[2];
  if (pipe(ep_pipe) < 0 || pipe(done_pipe) < 0) {
    perror("pipe");
    return 1;
  }
  pid_t pid = fork_peer();
  if (pid == 0) {
    /* child: the sender */
    close(ep_pipe[1]);
    close(done_pipe[1]);
    char ep[256];
    ssize_t n = 0, r;
    while ((r = read(ep_pipe[0], ep + n, sizeof ep - 1 - (size_t)n)) > 0) n += r;
    if (n <= 0) _exit(1);
    ep[n] = 0;
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    if (!push) die("zmq_socket");
    if (zmq_connect(push, ep) < 0) die("zmq_connect");
    send_all(push);
    /* stay open until the receiver closes the pipe (it has everything) */
    char c;
    while (read(done_pipe[0], &c, 1) > 0) {
    }
    zmq_close(push);
    zmq_ctx_term(ctx);
    _exit(0);
  }
  /* parent: the receiver */
  close(ep_pipe[0]);
  close(done_pipe[0]);
  void *ctx = zmq_ctx_new();
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  if (!pull) die("zmq_socket");
  if (zmq_bind(pull, endpoint) < 0) die("zmq_bind");
  char ep[256];
  size_t len = sizeof ep;
  if (zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, ep, &len) < 0) die("ZMQ_LAST_ENDPOINT");
  if (write(ep_pipe[1], ep, strlen(ep)) < 0) perror("write");
  close(ep_pipe[1]);
  double elapsed = recv_all(pull);
  close(done_pipe[1]);
  int status;
  waitpid(pid, &status, 0);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  report(endpoint, "two-process", elapsed);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
  bench_name = "throughput";
  if (argc < 4) {
    fprintf(stderr, "usage: %s <endpoint> <size> <count> [--fork|--threads] [--warmup N]\n",
            argv[0]);
    return 2;
  }
  const char *endpoint = argv[1];
  msg_size = (size_t)strtoull(argv[2], NULL, 10);
  msg_count = strtol(argv[3], NULL, 10);
  if (msg_count <= 0) {
    fprintf(stderr, "throughput: count must be > 0\n");
    return 2;
  }
  int threads = strncmp(endpoint, "inproc://", 9) == 0;
  for (int i = 4; i < argc; i++) {
    if (strcmp(argv[i], "--threads") == 0) threads = 1;
    else if (strcmp(argv[i], "--warmup") == 0 && i + 1 < argc) {
      warmup_count = strtol(argv[++i], NULL, 10);
      if (warmup_count < 0) {
        fprintf(stderr, "throughput: --warmup must be >= 0\n");
        return 2;
      }
    }
    else if (strcmp(argv[i], "--fork") == 0) {
      if (strncmp(endpoint, "inproc://", 9) == 0) {
        fprintf(stderr, "throughput: inproc needs --threads\n");
        return 2;
      }
      threads = 0;
    } else {
      fprintf(stderr, "throughput: unknown option %s\n", argv[i]);
      return 2;
    }
  }
  return threads ? run_threads(endpoint) : run_fork(endpoint);
}
