// The gRPC channel a plugin opens to plaza-adapter. The auth and rooms
// plugins both talk to the adapter and want the same from the channel: notice
// a dead adapter within seconds and find it again soon after it is back.
#ifndef PLAZA_PLUGINS_COMMON_ADAPTER_CHANNEL_H_
#define PLAZA_PLUGINS_COMMON_ADAPTER_CHANNEL_H_

#include <grpcpp/channel.h>

#include <memory>
#include <string>

namespace plaza::plugins {

// An insecure channel to `target` ("host:port"): keep-alive pings every
// 10 s (5 s to answer) and reconnect backoff between 200 ms and 2 s. With
// `ping_when_idle` the pings go on without calls in flight, for a plugin that
// holds long streams (rooms' WatchRoom) and must notice their death.
std::shared_ptr<grpc::Channel> MakeAdapterChannel(const std::string& target, bool ping_when_idle);

}  // namespace plaza::plugins

#endif  // PLAZA_PLUGINS_COMMON_ADAPTER_CHANNEL_H_
