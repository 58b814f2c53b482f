// measure: runs one command and prints its wall time, CPU time and peak RSS.
//
//   measure ERRFILE CMD [ARGS...]
//
// Prints "wall_ns user_us system_us maxrss_kib exit_code" on stdout; the command's stdout goes to
// /dev/null, its stderr to ERRFILE. Why not Python's subprocess or os.posix_spawn: they start the
// child with vfork/CLONE_VM, so until exec the child shares the parent's memory, and the kernel
// records that memory's high-water mark as the child's ru_maxrss: every command would seem to
// use at least as much as the Python interpreter (about 12 MB). This helper is about 1 MB, which
// is also the floor of what it can report; GNU time's %M reads the same ru_maxrss the same way.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: measure ERRFILE CMD [ARGS...]\n");
        return 2;
    }
    // ERRFILE is truncated: refuse an executable there, the mark of a forgotten ERRFILE
    // argument (`measure /usr/bin/psql -c ...` would otherwise overwrite psql).
    struct stat st {};
    if (stat(argv[1], &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0) {
        std::fprintf(stderr,
                     "measure: ERRFILE %s is an executable; the first argument is the "
                     "file for the command's stderr\n",
                     argv[1]);
        return 2;
    }
    const int err = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int null_fd = open("/dev/null", O_RDWR);
    if (err < 0 || null_fd < 0) {
        std::perror("measure: open");
        return 2;
    }
    timespec start{};
    timespec end{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        dup2(null_fd, 0);
        dup2(null_fd, 1);
        dup2(err, 2);
        execvp(argv[2], argv + 2);
        std::fprintf(stderr, "measure: cannot run %s: %s\n", argv[2], std::strerror(errno));
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    while (wait4(pid, &status, 0, &usage) < 0) {
        if (errno != EINTR) {
            std::perror("measure: wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    const long long wall_ns =
        (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
    const long long user_us = usage.ru_utime.tv_sec * 1000000LL + usage.ru_utime.tv_usec;
    const long long sys_us = usage.ru_stime.tv_sec * 1000000LL + usage.ru_stime.tv_usec;
    const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::printf("%lld %lld %lld %ld %d\n", wall_ns, user_us, sys_us, usage.ru_maxrss, code);
    return 0;
}
