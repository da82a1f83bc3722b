// Header-only: libc declarations that the Glibc module does not export.
#ifndef SWITCHBOARD_CSYSTEM_SHIM_H
#define SWITCHBOARD_CSYSTEM_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/tcp.h>
#include <pthread.h>

// glibc declares accept4, pipe2 and pthread_setname_np only under _GNU_SOURCE, which the Glibc module is built without.
extern int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen, int flags);
extern int pipe2(int pipefd[2], int flags);
extern int pthread_setname_np(pthread_t thread, const char *name);
#endif
