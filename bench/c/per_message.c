/*
 * The CPU one 16-byte message costs each side of a PUSH -> PULL pair with
 * libzmq used directly: zmq_send into a queue with room, zmq_msg_recv (and a
 * copy of its bytes) from a full one, over inproc in one thread, so nothing
 * waits. The C reference for ../per_message.ts.
 *
 *   per_message [count=1000000] [rounds=5]
 *
 * Each round sends `count` messages, then receives them; after one untimed
 * round, the median round counts. Prints one JSON line:
 * {"impl":"c","test":"per_message","count":..,"send_ns":..,"receive_ns":..}
 */
#include "common.h"

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *values, int n) {
  qsort(values, (size_t)n, sizeof *values, compare);
  return values[n / 2];
}

int main(int argc, char **argv) {
  bench_name = "per_message";
  long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
  int rounds = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 5;
  if (count <= 0 || rounds <= 0 || rounds > 100) {
    fprintf(stderr, "usage: %s [count > 0] [rounds 1-100]\n", argv[0]);
    return 2;
  }
  void *ctx = zmq_ctx_new();
  void *pull = zmq_socket(ctx, ZMQ_PULL);
  void *push = zmq_socket(ctx, ZMQ_PUSH);
  if (!ctx || !pull || !push) die("zmq_socket");
  int unlimited = 0;
  zmq_setsockopt(pull, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
  zmq_setsockopt(push, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
  if (zmq_bind(pull, "inproc://per_message") < 0) die("zmq_bind");
  if (zmq_connect(push, "inproc://per_message") < 0) die("zmq_connect");
  char frame[16] = {0}, copy[16];
  double send_ns[100], receive_ns[100];
  zmq_msg_t msg;
  zmq_msg_init(&msg);
  for (int r = -1; r < rounds; r++) {
    double t0 = now_s();
    for (long i = 0; i < count; i++) {
      if (zmq_send(push, frame, sizeof frame, ZMQ_DONTWAIT) != sizeof frame) die("zmq_send");
    }
    double t1 = now_s();
    for (long i = 0; i < count; i++) {
      if (zmq_msg_recv(&msg, pull, ZMQ_DONTWAIT) != sizeof frame) die("zmq_msg_recv");
      memcpy(copy, zmq_msg_data(&msg), sizeof copy);
    }
    double t2 = now_s();
    if (r < 0) continue;
    send_ns[r] = (t1 - t0) / (double)count * 1e9;
    receive_ns[r] = (t2 - t1) / (double)count * 1e9;
  }
  zmq_msg_close(&msg);
  printf("{\"impl\":\"c\",\"test\":\"per_message\",\"count\":%ld,\"send_ns\":%.1f,"
         "\"receive_ns\":%.1f}\n",
         count, median(send_ns, rounds), median(receive_ns, rounds));
  zmq_close(push);
  zmq_close(pull);
  zmq_ctx_term(ctx);
  return 0;
}
