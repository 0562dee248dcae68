// How a client's address is written in logs and shown to plugins: the
// hand-made IPv4 formatting must agree with inet_ntop on every octet range.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

#include <cstring>
#include <string>

#include "net/socket.h"

namespace plaza::broker {
namespace {

sockaddr_storage V4(const char* text, uint16_t port) {
  sockaddr_storage storage{};
  auto* in = reinterpret_cast<sockaddr_in*>(&storage);
  in->sin_family = AF_INET;
  in->sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, text, &in->sin_addr), 1);
  return storage;
}

TEST(AddressNameTest, Ipv4) {
  EXPECT_EQ(AddressName(V4("127.0.0.1", 54321)), "127.0.0.1:54321");
  EXPECT_EQ(AddressName(V4("0.0.0.0", 0)), "0.0.0.0:0");
  EXPECT_EQ(AddressName(V4("255.255.255.255", 65535)), "255.255.255.255:65535");
  EXPECT_EQ(AddressName(V4("10.20.100.9", 1883)), "10.20.100.9:1883");
}

TEST(AddressNameTest, Ipv4AgreesWithInetNtopForEveryOctet) {
  for (unsigned octet = 0; octet < 256; ++octet) {
    const std::string text = "192." + std::to_string(octet) + ".7." + std::to_string(255 - octet);
    EXPECT_EQ(AddressName(V4(text.c_str(), static_cast<uint16_t>(octet * 257))),
              text + ":" + std::to_string(octet * 257));
  }
}

TEST(AddressNameTest, Ipv6AndUnknown) {
  sockaddr_storage storage{};
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(8883);
  ASSERT_EQ(inet_pton(AF_INET6, "::1", &in6->sin6_addr), 1);
  EXPECT_EQ(AddressName(storage), "[::1]:8883");
  sockaddr_storage unknown{};
  unknown.ss_family = AF_UNIX;
  EXPECT_EQ(AddressName(unknown), "?");
}

}  // namespace
}  // namespace plaza::broker
