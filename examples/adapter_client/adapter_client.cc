// adapter_client: calls plaza-adapter from the command line and prints each
// answer as JSON, e.g.
//   adapter_client authenticate demo-token-ben-0002
//   adapter_client describe event:1
//   adapter_client authorize 2 event:1
//   adapter_client settings world:1 --volume 0.4 --bgm https://example.com/a.ogg
//   adapter_client announce event:1 "Show starts in 5 minutes" important
//   adapter_client watch world:1
//   adapter_client health
// The target defaults to 127.0.0.1:50051 (--target HOST:PORT to change).
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "plaza/adapter/v1/identity.grpc.pb.h"
#include "plaza/adapter/v1/platform.grpc.pb.h"
#include "plaza/adapter/v1/probe.grpc.pb.h"
#include "plaza/adapter/v1/rooms.grpc.pb.h"

namespace {

namespace v1 = plaza::adapter::v1;

constexpr char kUsage[] =
    "usage: adapter_client [--target HOST:PORT] COMMAND ARGS...\n"
    "  authenticate TOKEN\n"
    "  describe ROOM_ID                      (event:1, world:1, ...)\n"
    "  authorize USER_ID ROOM_ID\n"
    "  watch ROOM_ID                         (Ctrl-C to stop)\n"
    "  settings ROOM_ID [--volume V] [--bgm URL] [--asset URL]\n"
    "  announce ROOM_ID TEXT [info|important|urgent]\n"
    "  health                                (LoadBalancerProbe.Check)\n";

void Print(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  std::cout << json << std::flush;
}

int Report(const grpc::Status& status) {
  if (status.ok()) return 0;
  std::cerr << "error: " << status.error_code() << " " << status.error_message() << "\n";
  return 1;
}

void SetDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

int Run(const std::string& target, const std::vector<std::string>& args) {
  auto channel = grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  const std::string& command = args[0];
  const auto need = [&](size_t count) {
    if (args.size() < count + 1) {
      std::cerr << kUsage;
      std::exit(2);
    }
  };
  grpc::ClientContext context;
  if (command == "authenticate") {
    need(1);
    SetDeadline(context);
    v1::AuthenticateRequest request;
    request.set_token(args[1]);
    v1::AuthenticateResponse response;
    grpc::Status status =
        v1::IdentityService::NewStub(channel)->Authenticate(&context, request, &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  if (command == "describe") {
    need(1);
    SetDeadline(context);
    v1::DescribeRoomRequest request;
    request.set_room_id(args[1]);
    v1::DescribeRoomResponse response;
    grpc::Status status =
        v1::RoomService::NewStub(channel)->DescribeRoom(&context, request, &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  if (command == "authorize") {
    need(2);
    SetDeadline(context);
    v1::AuthorizeJoinRequest request;
    request.set_user_id(args[1]);
    request.set_room_id(args[2]);
    v1::AuthorizeJoinResponse response;
    grpc::Status status =
        v1::RoomService::NewStub(channel)->AuthorizeJoin(&context, request, &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  if (command == "watch") {
    need(1);
    v1::WatchRoomRequest request;
    request.set_room_id(args[1]);
    auto reader = v1::RoomService::NewStub(channel)->WatchRoom(&context, request);
    v1::RoomUpdate update;
    while (reader->Read(&update)) Print(update);
    return Report(reader->Finish());
  }
  if (command == "settings") {
    need(1);
    SetDeadline(context);
    v1::UpdateRoomSettingsRequest request;
    request.set_room_id(args[1]);
    for (size_t i = 2; i + 1 < args.size(); i += 2) {
      if (args[i] == "--volume") {
        request.set_volume(std::strtof(args[i + 1].c_str(), nullptr));
      } else if (args[i] == "--bgm") {
        request.set_bgm_url(args[i + 1]);
      } else if (args[i] == "--asset") {
        request.set_venue_asset_url(args[i + 1]);
      }
    }
    v1::UpdateRoomSettingsResponse response;
    grpc::Status status =
        v1::PlatformService::NewStub(channel)->UpdateRoomSettings(&context, request, &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  if (command == "announce") {
    need(2);
    SetDeadline(context);
    v1::AnnounceToRoomRequest request;
    request.set_room_id(args[1]);
    request.set_text(args[2]);
    const std::string level = args.size() > 3 ? args[3] : "info";
    request.set_level(level == "urgent"      ? v1::ANNOUNCEMENT_LEVEL_URGENT
                      : level == "important" ? v1::ANNOUNCEMENT_LEVEL_IMPORTANT
                                             : v1::ANNOUNCEMENT_LEVEL_INFO);
    v1::AnnounceToRoomResponse response;
    grpc::Status status =
        v1::PlatformService::NewStub(channel)->AnnounceToRoom(&context, request, &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  if (command == "health") {
    SetDeadline(context);
    v1::ProbeResponse response;
    grpc::Status status =
        v1::LoadBalancerProbe::NewStub(channel)->Check(&context, v1::ProbeRequest(), &response);
    if (status.ok()) Print(response);
    return Report(status);
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string target = "127.0.0.1:50051";
  if (args.size() >= 2 && args[0] == "--target") {
    target = args[1];
    args.erase(args.begin(), args.begin() + 2);
  }
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  return Run(target, args);
}
