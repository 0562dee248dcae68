// Thin helpers over the BSD socket calls the network loop needs, each
// returning a clear error instead of throwing.
#ifndef PLAZA_BROKER_NET_SOCKET_H_
#define PLAZA_BROKER_NET_SOCKET_H_

#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace plaza::broker {

// A non-blocking TCP listening socket on `address`:`port` (IPv4 or IPv6
// literal, or "localhost"); port 0 picks a free port. Returns the fd, or -1
// with `error` set (for example when another process has the port).
int OpenListener(const std::string& address, uint16_t port, std::string* error);

// The port a socket is bound to.
uint16_t LocalPort(int fd);

// "address:port" of an IPv4 or IPv6 socket address ("[v6]:port"), or "?":
// for the address accept4 returns, which saves a getpeername per connection.
// IPv4 is formatted by hand (inet_ntop goes through sprintf).
std::string AddressName(const sockaddr_storage& address);

// Disables Nagle's algorithm: MQTT messages are small and latency matters.
void SetNoDelay(int fd);

}  // namespace plaza::broker

#endif  // PLAZA_BROKER_NET_SOCKET_H_
