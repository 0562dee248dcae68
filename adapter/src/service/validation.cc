// The rules behind every INVALID_ARGUMENT the adapter returns.
#include "service/validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/room_ref.h"
#include "common/status_macros.h"
#include "common/strings.h"
#include "translation/room_translation.h"

namespace plaza::adapter::service {

absl::Status ValidateToken(std::string_view token) {
  if (token.size() < kMinTokenLength || token.size() > kMaxTokenLength) {
    return absl::InvalidArgumentError(absl::StrCat("token must be ", kMinTokenLength, " to ",
                                                   kMaxTokenLength, " characters, got ",
                                                   token.size()));
  }
  for (char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError("token must be printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateUrl(std::string_view field, std::string_view url) {
  if (url.size() > kMaxUrlLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(field), " must be at most ", kMaxUrlLength, " characters"));
  }
  if (!url.starts_with("https://") && !url.starts_with("http://")) {
    return absl::InvalidArgumentError(
        absl::StrCat(AsAbsl(field), " must be an http:// or https:// URL"));
  }
  const size_t scheme_end = url.find("//") + 2;
  if (url.size() == scheme_end) {
    return absl::InvalidArgumentError(absl::StrCat(AsAbsl(field), " must name a host"));
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError(
          absl::StrCat(AsAbsl(field), " must not contain spaces or control characters"));
    }
  }
  return absl::OkStatus();
}

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    int extra = 0;
    uint32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      code = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      code = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (code < kMin[extra] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

absl::Status Validate(const v1::AuthenticateRequest& request) {
  return ValidateToken(request.token());
}

absl::Status Validate(const v1::DescribeRoomRequest& request) {
  return ParseRoomId(request.room_id()).status();
}

absl::Status Validate(const v1::AuthorizeJoinRequest& request) {
  PLAZA_RETURN_IF_ERROR(translation::ParseUserId(request.user_id()).status());
  return ParseRoomId(request.room_id()).status();
}

absl::Status Validate(const v1::WatchRoomRequest& request) {
  return ParseRoomId(request.room_id()).status();
}

absl::Status Validate(const v1::UpdateRoomSettingsRequest& request) {
  PLAZA_RETURN_IF_ERROR(ParseRoomId(request.room_id()).status());
  if (!request.has_volume() && !request.has_bgm_url() && !request.has_venue_asset_url()) {
    return absl::InvalidArgumentError(
        "set at least one of volume, bgm_url, venue_asset_url: nothing to change");
  }
  if (request.has_volume() &&
      (!std::isfinite(request.volume()) || request.volume() < 0.0f || request.volume() > 1.0f)) {
    return absl::InvalidArgumentError(
        absl::StrCat("volume must be between 0.0 and 1.0, got ", request.volume()));
  }
  if (request.has_bgm_url() && !request.bgm_url().empty()) {
    PLAZA_RETURN_IF_ERROR(ValidateUrl("bgm_url", request.bgm_url()));
  }
  if (request.has_venue_asset_url()) {
    PLAZA_RETURN_IF_ERROR(ValidateUrl("venue_asset_url", request.venue_asset_url()));
  }
  return absl::OkStatus();
}

absl::Status Validate(const v1::AnnounceToRoomRequest& request) {
  PLAZA_RETURN_IF_ERROR(ParseRoomId(request.room_id()).status());
  if (request.text().empty()) return absl::InvalidArgumentError("text must not be empty");
  if (!IsValidUtf8(request.text())) return absl::InvalidArgumentError("text must be UTF-8");
  size_t characters = 0;
  for (char c : request.text()) {
    if ((static_cast<unsigned char>(c) & 0xc0) != 0x80) ++characters;
  }
  if (characters > kMaxAnnouncementLength) {
    return absl::InvalidArgumentError(absl::StrCat("text must be at most ", kMaxAnnouncementLength,
                                                   " characters, got ", characters));
  }
  if (!v1::AnnouncementLevel_IsValid(request.level())) {
    return absl::InvalidArgumentError(absl::StrCat("level ", request.level(), " is not known"));
  }
  return absl::OkStatus();
}

}  // namespace plaza::adapter::service
