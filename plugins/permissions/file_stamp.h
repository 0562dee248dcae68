// Whether a file has changed, the cheap way: its device, inode, size and
// modification time from stat(2), compared with the last ones seen. An
// editor that writes a new file and renames it over the old one changes the
// inode; one that writes in place changes the time and usually the size.
#ifndef PLAZA_PLUGINS_PERMISSIONS_FILE_STAMP_H_
#define PLAZA_PLUGINS_PERMISSIONS_FILE_STAMP_H_

#include <cstdint>
#include <string>

namespace plaza::permissions {

struct FileStamp {
  bool exists = false;
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtime_ns = 0;

  bool operator==(const FileStamp&) const = default;
};

// The stamp of `path` now; exists is false if stat(2) fails.
FileStamp StampOf(const std::string& path);

}  // namespace plaza::permissions

#endif  // PLAZA_PLUGINS_PERMISSIONS_FILE_STAMP_H_
