// CSV reader: the file is read whole, split into lines once, then each row's fields are parsed
// with std::from_chars straight into the preallocated tensors.

#include "magmadnn/data/csv.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string_view>

#include "magmadnn/core/error.h"

namespace magmadnn::data {

namespace {

struct Line {
    std::string_view text;  // without the line end
    index_t number;         // 1-based
};

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) {
        throw IOError(fmt::format("read_csv: cannot open '{}': {}; check the path", path,
                                  std::strerror(errno)));
    }
    const std::streamoff size = in.tellg();
    std::string text(size > 0 ? static_cast<std::size_t>(size) : 0, '\0');
    in.seekg(0);
    if (size < 0 || !in.read(text.data(), size)) {
        throw IOError(fmt::format("read_csv: reading '{}' failed: {}", path, std::strerror(errno)));
    }
    return text;
}

bool blank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    index_t number = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        ++number;
        std::string_view line = text.substr(pos, end - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (!blank(line)) lines.push_back({line, number});
        pos = end + 1;
    }
    return lines;
}

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t");
    return s.substr(b, e - b + 1);
}

// Splits one line into fields (quotes removed; a quoted field keeps "" escapes, which
// unquote() resolves for names and which no number contains).
void split_fields(const Line& line, char delim, const std::string& path,
                  std::vector<std::string_view>& fields) {
    fields.clear();
    const std::string_view s = line.text;
    std::size_t pos = 0;
    while (true) {
        std::size_t start = pos;
        while (start < s.size() && (s[start] == ' ' || s[start] == '\t') && s[start] != delim) {
            ++start;
        }
        if (start < s.size() && s[start] == '"') {
            std::size_t q = start + 1;
            while (true) {
                q = s.find('"', q);
                if (q == std::string_view::npos) {
                    throw FormatError(fmt::format(
                        "read_csv: '{}' line {}, column {}: a quoted field has no closing quote "
                        "(fields may not span lines)",
                        path, line.number, fields.size() + 1));
                }
                if (q + 1 < s.size() && s[q + 1] == '"') {
                    q += 2;
                    continue;
                }
                break;
            }
            fields.push_back(s.substr(start + 1, q - start - 1));
            std::size_t after = q + 1;
            while (after < s.size() && s[after] != delim && (s[after] == ' ' || s[after] == '\t')) {
                ++after;
            }
            if (after == s.size()) return;
            if (s[after] != delim) {
                throw FormatError(fmt::format(
                    "read_csv: '{}' line {}, column {}: text after a closing quote; quote the "
                    "whole field",
                    path, line.number, fields.size()));
            }
            pos = after + 1;
            continue;
        }
        const std::size_t end = s.find(delim, pos);
        if (end == std::string_view::npos) {
            fields.push_back(trim(s.substr(pos)));
            return;
        }
        fields.push_back(trim(s.substr(pos, end - pos)));
        pos = end + 1;
    }
}

std::string unquote(std::string_view field) {
    std::string out;
    for (std::size_t i = 0; i < field.size(); ++i) {
        out.push_back(field[i]);
        if (field[i] == '"' && i + 1 < field.size() && field[i + 1] == '"') ++i;
    }
    return out;
}

struct Context {
    const std::string& path;
    const std::vector<std::string>& names;  // all columns' names, or empty
};

[[noreturn]] void bad_number(const Context& ctx, const Line& line, std::size_t column,
                             std::string_view field, const char* expected) {
    const std::string col_name =
        column < ctx.names.size() ? fmt::format(" ('{}')", ctx.names[column]) : std::string();
    const std::string found =
        field.empty() ? std::string("an empty field") : fmt::format("'{}'", field.substr(0, 80));
    throw FormatError(fmt::format(
        "read_csv: '{}' line {}, column {}{}: expected {}, found {}; fix the value, or mark the "
        "column as the label column / a header row in CsvOptions",
        ctx.path, line.number, column + 1, col_name, expected, found));
}

template <typename V>
V parse_number(const Context& ctx, const Line& line, std::size_t column, std::string_view field,
               const char* expected) {
    const char* first = field.data();
    const char* last = field.data() + field.size();
    if (first != last && *first == '+') ++first;
    V value{};
    const auto [ptr, ec] = std::from_chars(first, last, value);
    if (field.empty() || ec != std::errc{} || ptr != last) {
        bad_number(ctx, line, column, field,
                   ec == std::errc::result_out_of_range ? "a number in range" : expected);
    }
    return value;
}

}  // namespace

template <typename T>
CsvTable<T> read_csv(const std::string& path, const CsvOptions& options) {
    const std::string text = read_all(path);
    const std::vector<Line> lines = split_lines(text);
    if (lines.empty()) {
        throw FormatError(fmt::format(
            "read_csv: '{}' is empty ({} bytes, no non-blank line); expected {}comma-separated "
            "rows of numbers",
            path, text.size(), options.header ? "a header row and " : ""));
    }
    if (options.label_column < -1) {
        throw ValueError(fmt::format(
            "read_csv('{}'): label_column {} is invalid; use -1 for none or a column index", path,
            options.label_column));
    }

    std::vector<std::string_view> fields;
    std::vector<std::string> names;
    std::size_t first_data = 0;
    if (options.header) {
        split_fields(lines[0], options.delimiter, path, fields);
        for (std::string_view f : fields) names.push_back(unquote(f));
        first_data = 1;
    } else {
        split_fields(lines[0], options.delimiter, path, fields);
    }
    const std::size_t ncols = fields.size();
    const index_t rows = static_cast<index_t>(lines.size() - first_data);
    if (rows == 0) {
        throw FormatError(
            fmt::format("read_csv: '{}' has a header (line {}) but no data rows; add rows, or set "
                        "CsvOptions::header = false if that line is data",
                        path, lines[0].number));
    }
    const bool has_label = options.label_column >= 0;
    if (has_label && static_cast<std::size_t>(options.label_column) >= ncols) {
        throw ValueError(fmt::format(
            "read_csv('{}'): label_column {} is outside the table's {} columns (0-based); set "
            "CsvOptions::label_column to an index below {} or to -1",
            path, options.label_column, ncols, ncols));
    }
    const auto label_col = static_cast<std::size_t>(options.label_column);
    const index_t nfeat = static_cast<index_t>(ncols) - (has_label ? 1 : 0);

    CsvTable<T> out;
    out.features = Tensor<T>({rows, nfeat}, HOST);
    if (has_label) out.labels = Tensor<std::int32_t>({rows}, HOST);
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (has_label && c == label_col) {
            out.label_name = names[c];
        } else {
            out.column_names.push_back(names[c]);
        }
    }

    const Context ctx{path, names};
    T* feat = out.features.data();
    std::int32_t* lab = has_label ? out.labels.data() : nullptr;
    for (std::size_t r = first_data; r < lines.size(); ++r) {
        const Line& line = lines[r];
        split_fields(line, options.delimiter, path, fields);
        if (fields.size() != ncols) {
            throw FormatError(fmt::format(
                "read_csv: '{}' line {} has {} fields, expected {} (as in line {}); every row "
                "needs the same number of '{}'-separated fields",
                path, line.number, fields.size(), ncols, lines[0].number, options.delimiter));
        }
        for (std::size_t c = 0; c < ncols; ++c) {
            if (has_label && c == label_col) {
                *lab++ = parse_number<std::int32_t>(ctx, line, c, fields[c], "an integer label");
            } else {
                *feat++ = parse_number<T>(ctx, line, c, fields[c], "a number");
            }
        }
    }
    return out;
}

template CsvTable<float> read_csv<float>(const std::string&, const CsvOptions&);
template CsvTable<double> read_csv<double>(const std::string&, const CsvOptions&);

}  // namespace magmadnn::data
