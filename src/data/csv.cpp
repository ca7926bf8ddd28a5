// CSV reader: the file is read whole, split into lines once, then each row's fields are parsed
// with std::from_chars straight into the preallocated tensors. Missing values are filled in or
// their rows dropped after the pass, as the policy says.

#include "magmadnn/data/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string_view>
#include <type_traits>

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

// " ('name')" when the header names the column.
std::string named(const Context& ctx, std::size_t column) {
    return column < ctx.names.size() ? fmt::format(" ('{}')", ctx.names[column]) : std::string();
}

// "read_csv: 'path' line L, column C ('name')", the start of every message about one field.
std::string where(const Context& ctx, const Line& line, std::size_t column) {
    return fmt::format("read_csv: '{}' line {}, column {}{}", ctx.path, line.number, column + 1,
                       named(ctx, column));
}

std::string shown(std::string_view field) {
    return field.empty() ? std::string("an empty field") : fmt::format("'{}'", field.substr(0, 80));
}

[[noreturn]] void bad_number(const Context& ctx, const Line& line, std::size_t column,
                             std::string_view field, const char* expected) {
    throw FormatError(fmt::format(
        "{}: expected {}, found {}; fix the value, or mark the column as the label column / a "
        "header row in CsvOptions",
        where(ctx, line, column), expected, shown(field)));
}

// from_chars takes no leading '+'; a '+' before another sign stays and fails.
std::string_view without_plus(std::string_view field) {
    if (field.size() > 1 && field[0] == '+' && field[1] != '+' && field[1] != '-') {
        field.remove_prefix(1);
    }
    return field;
}

bool is_nan_text(std::string_view field) {
    double v = 0;
    field = without_plus(field);
    const auto [ptr, ec] = std::from_chars(field.data(), field.data() + field.size(), v);
    return ec == std::errc{} && ptr == field.data() + field.size() && std::isnan(v);
}

std::int32_t parse_label(const Context& ctx, const Line& line, std::size_t column,
                         std::string_view field) {
    if (field.empty() || is_nan_text(field)) {
        throw FormatError(fmt::format(
            "{}: the label is missing ({}); every row needs an integer class label, and labels "
            "are never imputed (--missing applies to features only): fix the value or remove "
            "the row",
            where(ctx, line, column), shown(field)));
    }
    const std::string_view text = without_plus(field);
    std::int32_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || ptr != text.data() + text.size()) {
        bad_number(ctx, line, column, field,
                   ec == std::errc::result_out_of_range ? "a label in range" : "an integer label");
    }
    return value;
}

// Parses a feature into `value`; false when it is missing (an empty field or NaN). Infinities
// and overflow throw; underflow reads as a signed 0.
template <typename T>
bool parse_feature(const Context& ctx, const Line& line, std::size_t column, std::string_view field,
                   T& value) {
    if (field.empty()) return false;
    const std::string_view text = without_plus(field);
    const char* last = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (ptr != last || (ec != std::errc{} && ec != std::errc::result_out_of_range)) {
        bad_number(ctx, line, column, field, "a number");
    }
    if (ec == std::errc::result_out_of_range) {
        // A wider parse tells underflow from overflow; beyond even long double, the exponent's
        // sign does.
        long double wide = 0;
        const auto wider = std::from_chars(text.data(), last, wide);
        const auto e = text.find_first_of("eE");
        const bool tiny = wider.ec == std::errc{} ? std::fabs(wide) < 1
                                                  : e != std::string_view::npos &&
                                                        e + 1 < text.size() && text[e + 1] == '-';
        if (!tiny) {
            throw FormatError(fmt::format(
                "{}: {} is beyond the range of {} (largest magnitude {:.6g}); fix the value or "
                "rescale the column",
                where(ctx, line, column), shown(field),
                std::is_same_v<T, float> ? "float" : "double",
                static_cast<double>(std::numeric_limits<T>::max())));
        }
        value = text[0] == '-' ? -T(0) : T(0);
        return true;
    }
    if (std::isnan(value)) return false;
    if (std::isinf(value)) {
        throw FormatError(fmt::format(
            "{}: {} is infinite; features must be finite numbers: fix the value (--missing "
            "applies to empty fields and NaN, not to infinities)",
            where(ctx, line, column), shown(field)));
    }
    return true;
}

[[noreturn]] void missing_value(const Context& ctx, const Line& line, std::size_t column,
                                std::string_view field) {
    throw FormatError(
        fmt::format("{}: missing value ({}); fix the value, or use --missing drop|zero|mean "
                    "(CsvOptions::missing) to drop the row or fill in 0 or the column's mean",
                    where(ctx, line, column), shown(field)));
}

// Missing::mean: each missing cell gets its column's mean over the rows that have a value.
template <typename T>
void fill_means(const Context& ctx, CsvTable<T>& out, const std::vector<double>& sum,
                const std::vector<double>& count, const std::vector<index_t>& cells, bool has_label,
                std::size_t label_col) {
    const index_t nfeat = out.features.shape(1);
    T* feat = out.features.data();
    for (const index_t cell : cells) {
        const auto j = static_cast<std::size_t>(cell % nfeat);
        if (count[j] == 0) {
            const std::size_t column = j + (has_label && j >= label_col ? 1 : 0);
            throw FormatError(fmt::format(
                "read_csv: '{}' column {}{} has no value in any row, so it has no mean to fill "
                "in; use --missing zero or drop (CsvOptions::missing), or remove the column",
                ctx.path, column + 1, named(ctx, column)));
        }
        feat[cell] = static_cast<T>(sum[j] / count[j]);
    }
}

// Missing::drop: moves the kept rows to the front and shrinks the tensors to them.
template <typename T>
void drop_rows(const std::string& path, CsvTable<T>& out, const std::vector<bool>& drop) {
    const index_t rows = out.features.shape(0);
    const index_t nfeat = out.features.shape(1);
    T* feat = out.features.data();
    std::int32_t* lab = out.labels.size() > 0 ? out.labels.data() : nullptr;
    index_t kept = 0;
    for (index_t r = 0; r < rows; ++r) {
        if (drop[std::size_t(r)]) continue;
        if (kept != r) {
            std::copy_n(feat + r * nfeat, nfeat, feat + kept * nfeat);
            if (lab != nullptr) lab[kept] = lab[r];
            out.lines[std::size_t(kept)] = out.lines[std::size_t(r)];
        }
        ++kept;
    }
    out.rows_dropped = rows - kept;
    out.lines.resize(std::size_t(kept));
    if (kept == 0) {
        throw FormatError(fmt::format(
            "read_csv: every one of the {} data rows of '{}' has a missing value, so "
            "--missing drop leaves none; use --missing zero or mean (CsvOptions::missing), or fix "
            "the file",
            rows, path));
    }
    if (kept < rows) {
        out.features = out.features.slice(0, kept).clone();
        if (lab != nullptr) out.labels = out.labels.slice(0, kept).clone();
    }
}

// Every row has the first line's number of fields.
void check_width(const Context& ctx, const Line& line, std::size_t nfields, std::size_t ncols,
                 const Line& first, char delim) {
    if (nfields != ncols) {
        throw FormatError(fmt::format(
            "read_csv: '{}' line {} has {} fields, expected {} (as in line {}); every row "
            "needs the same number of '{}'-separated fields",
            ctx.path, line.number, nfields, ncols, first.number, delim));
    }
}

// Checks only the rows' widths, before a table is allocated for them.
void check_field_counts(const Context& ctx, const std::vector<Line>& lines, std::size_t first_data,
                        std::size_t ncols, char delim) {
    std::vector<std::string_view> fields;
    for (std::size_t r = first_data; r < lines.size(); ++r) {
        split_fields(lines[r], delim, ctx.path, fields);
        check_width(ctx, lines[r], fields.size(), ncols, lines[0], delim);
    }
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
    const Context ctx{path, names};
    // A row of n fields holds at least n - 1 delimiters, so a first line that promises more
    // fields than the file has bytes per row (a long header over many short rows) means a bad
    // row: find it before allocating rows x columns.
    if (ncols - 1 > text.size() / static_cast<std::size_t>(rows)) {
        check_field_counts(ctx, lines, first_data, ncols, options.delimiter);
    }

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

    out.lines.reserve(static_cast<std::size_t>(rows));
    T* feat = out.features.data();
    std::int32_t* lab = has_label ? out.labels.data() : nullptr;
    std::vector<double> sum, count;      // Missing::mean: per feature, over the values present
    std::vector<index_t> missing_cells;  // Missing::mean: where to fill in the mean
    std::vector<bool> drop(options.missing == Missing::drop ? std::size_t(rows) : 0);
    if (options.missing == Missing::mean) {
        sum.assign(std::size_t(nfeat), 0.0);
        count.assign(std::size_t(nfeat), 0.0);
    }
    for (std::size_t r = first_data; r < lines.size(); ++r) {
        const Line& line = lines[r];
        split_fields(line, options.delimiter, path, fields);
        check_width(ctx, line, fields.size(), ncols, lines[0], options.delimiter);
        out.lines.push_back(line.number);
        std::size_t j = 0;  // feature index
        for (std::size_t c = 0; c < ncols; ++c) {
            if (has_label && c == label_col) {
                *lab++ = parse_label(ctx, line, c, fields[c]);
                continue;
            }
            T value{};
            if (parse_feature(ctx, line, c, fields[c], value)) {
                *feat = value;
                if (!sum.empty()) {
                    sum[j] += double(value);
                    count[j] += 1;
                }
            } else {
                ++out.missing_values;
                *feat = T(0);
                switch (options.missing) {
                    case Missing::error:
                        missing_value(ctx, line, c, fields[c]);
                    case Missing::zero:
                        break;
                    case Missing::drop:
                        drop[r - first_data] = true;
                        break;
                    case Missing::mean:
                        missing_cells.push_back(feat - out.features.data());
                        break;
                }
            }
            ++feat;
            ++j;
        }
    }
    if (!missing_cells.empty()) {
        fill_means(ctx, out, sum, count, missing_cells, has_label, label_col);
    }
    if (!drop.empty()) drop_rows(path, out, drop);
    return out;
}

template CsvTable<float> read_csv<float>(const std::string&, const CsvOptions&);
template CsvTable<double> read_csv<double>(const std::string&, const CsvOptions&);

}  // namespace magmadnn::data
