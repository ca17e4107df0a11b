/*
 * The C floor of the benchmarks: the same system calls as filestore's full
 * cycle, with nothing else around them.
 *
 *   put:   open(tmp/NAME, O_CREAT|O_EXCL) write [fsync] close
 *          rename(tmp/NAME, new/NAME) [open(new/) fsync close]
 *   drain: one readdir of new/, then per item
 *          rename(new/NAME, cur/NAME,C=<claim>:2,) open read close unlink
 *
 * Usage: floor ROLE DIR SIZE COUNT SYNC
 *   ROLE cycle    puts COUNT items, then drains them; prints put and drain seconds
 *        produce  waits for DIR/.go, puts COUNT items; prints start/end (ms since the epoch)
 *        consume  waits for DIR/.go, drains until DIR/.done exists and new/ is empty
 *        drain    drains what new/ holds (a backlog made by `fill`); prints drain seconds
 *        fill     puts COUNT items at once (to make a backlog); prints put seconds
 *        probe    creates COUNT empty files in DIR/.probe (kept); prints microseconds per create
 * Output: one line of JSON.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char root[4096];
static size_t size;
static int sync_on;
static unsigned char *payload;
static unsigned char *buffer;
static unsigned long seq;

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static double epoch_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void die(const char *what, const char *path) {
  fprintf(stderr, "floor: %s '%s': %s\n", what, path, strerror(errno));
  exit(1);
}

static void put_one(void) {
  char name[256], tmp[4600], dst[4600];
  struct timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  snprintf(name, sizeof name, "%ld.M%ldP%dQ%lu.floor", (long)t.tv_sec, t.tv_nsec / 1000, getpid(), ++seq);
  snprintf(tmp, sizeof tmp, "%s/tmp/%s", root, name);
  snprintf(dst, sizeof dst, "%s/new/%s", root, name);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) die("open", tmp);
  size_t off = 0;
  while (off < size) {
    ssize_t n = write(fd, payload + off, size - off);
    if (n < 0) die("write", tmp);
    off += (size_t)n;
  }
  if (sync_on && fsync(fd) != 0) die("fsync", tmp);
  close(fd);
  if (rename(tmp, dst) != 0) die("rename", tmp);
  if (sync_on) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/new", root);
    int dfd = open(dir, O_RDONLY);
    if (dfd < 0 || fsync(dfd) != 0) die("fsync", dir);
    close(dfd);
  }
}

/* One readdir of new/, then claim, read and delete each item. Returns the number taken. */
static long drain_once(void) {
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/new", root);
  DIR *d = opendir(dir);
  if (!d) die("opendir", dir);
  size_t cap = 1024, n = 0;
  char **names = malloc(cap * sizeof *names);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    if (n == cap) names = realloc(names, (cap *= 2) * sizeof *names);
    names[n++] = strdup(e->d_name);
  }
  closedir(d);
  long taken = 0;
  for (size_t i = 0; i < n; i++) {
    char src[4600], cur[4700];
    snprintf(src, sizeof src, "%s/new/%s", root, names[i]);
    snprintf(cur, sizeof cur, "%s/cur/%s,C=P%dR%lx:2,", root, names[i], getpid(), (unsigned long)i);
    free(names[i]);
    if (rename(src, cur) != 0) {
      if (errno == ENOENT) continue; /* another consumer won */
      die("rename", src);
    }
    int fd = open(cur, O_RDONLY | O_NOFOLLOW);
    if (fd < 0) die("open", cur);
    if (read(fd, buffer, size + 1) < 0) die("read", cur);
    close(fd);
    if (unlink(cur) != 0) die("unlink", cur);
    taken++;
  }
  free(names);
  return taken;
}

static int done_marker(void) {
  char path[4200];
  snprintf(path, sizeof path, "%s/.done", root);
  return access(path, F_OK) == 0;
}

/* All processes of a multi-process run start together, when DIR/.go appears. */
static void wait_go(void) {
  char path[4200];
  snprintf(path, sizeof path, "%s/.go", root);
  printf("ready\n");
  fflush(stdout);
  while (access(path, F_OK) != 0) usleep(200);
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "probe") == 0) {
    /* How fast creates are in this directory's block group (see bench/_common.ts, Scratch). */
    char dir[4200], path[4300];
    long n = strtol(argv[3], NULL, 10);
    snprintf(dir, sizeof dir, "%s/.probe", argv[2]);
    if (mkdir(argv[2], 0700) != 0 && errno != EEXIST) die("mkdir", argv[2]);
    if (mkdir(dir, 0700) != 0) die("mkdir", dir);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
      snprintf(path, sizeof path, "%s/%ld", dir, i);
      int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
      if (fd < 0) die("open", path);
      close(fd);
    }
    printf("{\"us\":%.3f}\n", (now_s() - t0) / n * 1e6);
    return 0;
  }
  if (argc != 6) {
    fprintf(stderr, "usage: floor cycle|produce|consume|drain|fill DIR SIZE COUNT SYNC | floor probe DIR COUNT\n");
    return 2;
  }
  const char *role = argv[1];
  snprintf(root, sizeof root, "%s", argv[2]);
  size = strtoul(argv[3], NULL, 10);
  long count = strtol(argv[4], NULL, 10);
  sync_on = atoi(argv[5]) != 0;
  payload = malloc(size + 1);
  buffer = malloc(size + 1);
  memset(payload, 'x', size);
  const char *areas[] = {"tmp", "new", "cur"};
  mkdir(root, 0700);
  for (int i = 0; i < 3; i++) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/%s", root, areas[i]);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) die("mkdir", dir);
  }
  if (strcmp(role, "cycle") == 0) {
    /* The same untimed warm-up as the filestore worker. */
    long warm = count < (sync_on ? 50 : 200) ? count : (sync_on ? 50 : 200), got = 0;
    for (long i = 0; i < warm; i++) put_one();
    while (got < warm) got += drain_once();
    double t0 = now_s();
    for (long i = 0; i < count; i++) put_one();
    double t1 = now_s();
    long taken = 0;
    while (taken < count) taken += drain_once();
    double t2 = now_s();
    printf("{\"items\":%ld,\"put\":%.6f,\"drain\":%.6f}\n", count, t1 - t0, t2 - t1);
  } else if (strcmp(role, "drain") == 0) {
    double t0 = now_s();
    long taken = drain_once();
    printf("{\"items\":%ld,\"drain\":%.6f}\n", taken, now_s() - t0);
  } else if (strcmp(role, "fill") == 0) {
    double t0 = now_s();
    for (long i = 0; i < count; i++) put_one();
    printf("{\"items\":%ld,\"put\":%.6f}\n", count, now_s() - t0);
  } else if (strcmp(role, "produce") == 0) {
    wait_go();
    double start = epoch_ms();
    for (long i = 0; i < count; i++) put_one();
    printf("{\"items\":%ld,\"start\":%.3f,\"end\":%.3f}\n", count, start, epoch_ms());
  } else if (strcmp(role, "consume") == 0) {
    wait_go();
    double start = epoch_ms();
    long taken = 0;
    for (;;) {
      int finished = done_marker();
      long got = drain_once();
      taken += got;
      if (got == 0) {
        if (finished) break;
        usleep(200);
      }
    }
    printf("{\"items\":%ld,\"start\":%.3f,\"end\":%.3f}\n", taken, start, epoch_ms());
  } else {
    fprintf(stderr, "floor: unknown role '%s'\n", role);
    return 2;
  }
  return 0;
}
