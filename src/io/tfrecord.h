#pragma once
// Private: TFRecord framing, as TensorBoard's record_writer writes each event of an event file:
//   uint64 length | uint32 masked CRC-32C of those 8 bytes | data | uint32 masked CRC-32C of data
// all little-endian.

#include <string>
#include <string_view>

namespace magmadnn::io::detail {

// Appends one framed record holding `data` to `out`.
void append_record(std::string& out, std::string_view data);

}  // namespace magmadnn::io::detail
