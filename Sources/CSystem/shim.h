// Header-only: libc declarations that the Glibc module does not export.
#ifndef SWITCHBOARD_CSYSTEM_SHIM_H
#define SWITCHBOARD_CSYSTEM_SHIM_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <netinet/tcp.h>
#endif
