// Input validation for every RPC: each function returns OK or
// INVALID_ARGUMENT with a message that names the field and the rule. Runs on
// gRPC's callback threads (cheap, no I/O), before any work is queued.
#ifndef PLAZA_ADAPTER_SERVICE_VALIDATION_H_
#define PLAZA_ADAPTER_SERVICE_VALIDATION_H_

#include <string_view>

#include "absl/status/status.h"
#include "plaza/adapter/v1/identity.pb.h"
#include "plaza/adapter/v1/platform.pb.h"
#include "plaza/adapter/v1/rooms.pb.h"

namespace plaza::adapter::service {

inline constexpr size_t kMinTokenLength = 16;
inline constexpr size_t kMaxTokenLength = 256;
inline constexpr size_t kMaxUrlLength = 1024;
inline constexpr size_t kMaxAnnouncementLength = 500;

absl::Status ValidateToken(std::string_view token);
// http:// or https://, no whitespace or control characters, at most
// kMaxUrlLength. `field` names it in the message.
absl::Status ValidateUrl(std::string_view field, std::string_view url);
bool IsValidUtf8(std::string_view text);

absl::Status Validate(const v1::AuthenticateRequest& request);
absl::Status Validate(const v1::DescribeRoomRequest& request);
absl::Status Validate(const v1::AuthorizeJoinRequest& request);
absl::Status Validate(const v1::WatchRoomRequest& request);
absl::Status Validate(const v1::UpdateRoomSettingsRequest& request);
absl::Status Validate(const v1::AnnounceToRoomRequest& request);

}  // namespace plaza::adapter::service

#endif  // PLAZA_ADAPTER_SERVICE_VALIDATION_H_
