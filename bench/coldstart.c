/* Cold start of a native-messaging host: from spawn to its reply to {"type":"hello"}.

   coldstart N HOST [ARGS...]   prints JSON with the median/p10/p90 over N runs, for the host and for a
   "null host" (this very program, re-executed in --null-host mode: read one frame, answer one frame).
   The null host pays the same fork/exec, dynamic loading of libc and pipe round trip as the real host,
   so host_ms - null_ms is what the host itself adds; host_ms is what Thunderbird waits for.
   Runs alternate between the two so that load drift hits both alike. Framing: 4-byte native-order
   length, then UTF-8 JSON (Mozilla's native messaging). */
#define _GNU_SOURCE
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

static const char kHello[] = "{\"type\":\"hello\"}";

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int read_full(int fd, void* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (char*)buf + got, n - got);
    if (r <= 0) return -1;
    got += (size_t)r;
  }
  return 0;
}

static int write_frame(int fd, const char* body, uint32_t len) {
  char buf[4 + 256];
  memcpy(buf, &len, 4);
  memcpy(buf + 4, body, len);
  return write(fd, buf, 4 + len) == (ssize_t)(4 + len) ? 0 : -1;
}

static int null_host(void) {
  uint32_t len;
  char body[1024];
  if (read_full(0, &len, 4) || len > sizeof body || read_full(0, body, len)) return 1;
  static const char reply[] = "{\"type\":\"hello\",\"version\":\"0\",\"protocol\":1}";
  if (write_frame(1, reply, sizeof reply - 1)) return 1;
  while (read(0, body, sizeof body) > 0) {
  }
  return 0;
}

/* One run: ms from spawn to a complete reply frame, or -1. */
static double one_run(char* const argv[], char* reply, size_t reply_cap) {
  int in[2], out[2];
  if (pipe(in) || pipe(out)) return -1;
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in[0], 0);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addclose(&fa, in[1]);
  posix_spawn_file_actions_addclose(&fa, out[0]);
  double t0 = now_ms();
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  close(in[0]);
  close(out[1]);
  if (rc != 0) return -1;
  double ms = -1;
  uint32_t len;
  if (write_frame(in[1], kHello, sizeof kHello - 1) == 0 && read_full(out[0], &len, 4) == 0 && len < reply_cap &&
      read_full(out[0], reply, len) == 0) {
    ms = now_ms() - t0;
    reply[len] = 0;
  }
  close(in[1]);
  close(out[0]);
  int status;
  waitpid(pid, &status, 0);
  return ms;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

static double pct(double* v, int n, double p) { return v[(int)(p * (n - 1) + 0.5)]; }

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--null-host") == 0) return null_host();
  if (argc < 3) {
    fprintf(stderr, "usage: coldstart N HOST [ARGS...]\n");
    return 2;
  }
  int n = atoi(argv[1]);
  if (n < 1) n = 1;
  char self[4096];
  ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
  if (sl <= 0) return 3;
  self[sl] = 0;
  char* null_argv[] = {self, "--null-host", NULL};
  double* host = calloc((size_t)n, sizeof *host);
  double* null = calloc((size_t)n, sizeof *null);
  char reply[4096];
  char first_reply[4096] = "";
  for (int i = 0; i < n; i++) {
    null[i] = one_run(null_argv, reply, sizeof reply);
    host[i] = one_run(argv + 2, reply, sizeof reply);
    if (host[i] < 0 || null[i] < 0) {
      fprintf(stderr, "run %d failed (no hello reply)\n", i);
      return 1;
    }
    if (i == 0) snprintf(first_reply, sizeof first_reply, "%s", reply);
  }
  qsort(host, (size_t)n, sizeof *host, cmp);
  qsort(null, (size_t)n, sizeof *null, cmp);
  for (char* c = first_reply; *c; c++)
    if (*c == '"' || *c == '\\') *c = '\'';
  printf("{\"runs\": %d, \"host_ms\": %.3f, \"host_p10_ms\": %.3f, \"host_p90_ms\": %.3f, \"host_min_ms\": %.3f, "
         "\"null_ms\": %.3f, \"null_p10_ms\": %.3f, \"null_p90_ms\": %.3f, \"reply\": \"%s\"}\n",
         n, pct(host, n, 0.5), pct(host, n, 0.1), pct(host, n, 0.9), host[0], pct(null, n, 0.5), pct(null, n, 0.1),
         pct(null, n, 0.9), first_reply);
  return 0;
}
