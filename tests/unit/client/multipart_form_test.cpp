#include "engine/multipart_form.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace clara::engine {
namespace {

TEST(MultipartForm, EncodesTextAndFilePartsInOrder) {
    const std::vector<MultipartPart> parts = {
        {.name = "model", .data = "whisper-1"},
        {.name = "file",
         .data = std::string("RIFF\0\x01", 6),
         .filename = "clip.wav",
         .content_type = "audio/wav"},
        {.name = "blob", .data = "xyz", .filename = "raw.bin"},
    };
    const MultipartForm form = build_multipart_form(parts, "BOUNDARY");
    EXPECT_EQ(form.content_type, "multipart/form-data; boundary=BOUNDARY");
    const std::string expected =
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"model\"\r\n"
        "\r\n"
        "whisper-1\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"file\"; filename=\"clip.wav\"\r\n"
        "Content-Type: audio/wav\r\n"
        "\r\n" +
        std::string("RIFF\0\x01", 6) +
        "\r\n"
        "--BOUNDARY\r\n"
        "Content-Disposition: form-data; name=\"blob\"; filename=\"raw.bin\"\r\n"
        "Content-Type: application/octet-stream\r\n"
        "\r\n"
        "xyz\r\n"
        "--BOUNDARY--\r\n";
    EXPECT_EQ(form.body, expected);
}

TEST(MultipartForm, EscapesQuotesAndLineBreaksInNames) {
    const MultipartForm form = build_multipart_form({{.name = "a\"b",
                                                      .data = "1",
                                                      .filename = "x\r\ny.txt",
                                                      .content_type = "text/plain\r\nX: 1"}},
                                                    "B");
    EXPECT_NE(form.body.find("name=\"a%22b\"; filename=\"x%0D%0Ay.txt\""), std::string::npos);
    EXPECT_NE(form.body.find("Content-Type: text/plainX: 1\r\n"), std::string::npos);
}

TEST(MultipartForm, ChoosesABoundaryThatDoesNotOccurInTheData) {
    std::vector<MultipartPart> parts = {{.name = "f", .data = "hello"}};
    const std::string plain = multipart_boundary(parts, 42);
    EXPECT_EQ(multipart_boundary(parts, 42), plain);  // deterministic
    parts[0].data = "prefix " + plain + " suffix";    // the data now contains that boundary
    const std::string avoided = multipart_boundary(parts, 42);
    EXPECT_NE(avoided, plain);
    EXPECT_EQ(parts[0].data.find(avoided), std::string::npos);

    const MultipartForm form = build_multipart_form(parts);
    const std::string chosen = form.content_type.substr(form.content_type.find('=') + 1);
    EXPECT_EQ(parts[0].data.find(chosen), std::string::npos);
    EXPECT_EQ(form.body.substr(0, chosen.size() + 2), "--" + chosen);
}

}  // namespace
}  // namespace clara::engine
