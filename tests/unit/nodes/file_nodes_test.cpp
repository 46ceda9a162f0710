#include "nodes/node_types.hpp"

#include "nodes/image_probe.hpp"
#include "unit/nodes/node_test_support.hpp"
#include "util/base64.hpp"

#include <vector>

namespace clara::nodes {
namespace {

using testing::json;
using testing::NodeHarness;

// A 1x1 PNG and a 3x2 GIF, as base64.
constexpr const char* kPng1x1 =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR42mNgAAIAAAUAAen63NgAAAAASUVORK5CYII=";
constexpr const char* kGif3x2 = "R0lGODlhAwACAIAAAP///wAAACwAAAAAAwACAAACAoRRADs=";

/// A one-page PDF showing `text`, with a correct cross-reference table.
std::string make_pdf(const std::string& text) {
    const std::string content = "BT /F1 24 Tf 72 700 Td (" + text + ") Tj ET";
    const std::vector<std::string> objects = {
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        "<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    };
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const auto xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const auto offset : offsets) {
        char line[24];
        std::snprintf(line, sizeof line, "%010zu 00000 n \n", offset);
        pdf += line;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

TEST(ImageProbe, ReadsSizesFromHeaders) {
    const auto png = util::base64_decode(kPng1x1).value();
    EXPECT_EQ(sniff_image_mime(png), "image/png");
    ASSERT_TRUE(probe_image_size(png).has_value());
    EXPECT_EQ(probe_image_size(png)->width, 1u);
    const auto gif = util::base64_decode(kGif3x2).value();
    EXPECT_EQ(sniff_image_mime(gif), "image/gif");
    EXPECT_EQ(probe_image_size(gif)->width, 3u);
    EXPECT_EQ(probe_image_size(gif)->height, 2u);
    // JPEG: SOI, an APP0 segment, then SOF0 with height 480 and width 640.
    const std::string jpeg("\xFF\xD8\xFF\xE0\x00\x04\x00\x00\xFF\xC0\x00\x0B\x08\x01\xE0\x02\x80\x01\x01\x11\x00", 21);
    EXPECT_EQ(sniff_image_mime(jpeg), "image/jpeg");
    ASSERT_TRUE(probe_image_size(jpeg).has_value());
    EXPECT_EQ(probe_image_size(jpeg)->width, 640u);
    EXPECT_EQ(probe_image_size(jpeg)->height, 480u);
    EXPECT_FALSE(probe_image_size("plain text").has_value());
}

TEST(ImageInputNode, KeepsDataUrlsAndReportsMetadata) {
    NodeHarness node("image-input");
    const std::string url = std::string("data:image/png;base64,") + kPng1x1;
    const auto result = node.external(boost::json::string(url)).run();
    ASSERT_TRUE(result.has_value()) << node.error();
    EXPECT_EQ(result->at("base64"), boost::json::string(url));
    EXPECT_EQ(result->at("metadata"), json(R"({"width":1,"height":1,"type":"image/png","size":68})"));
}

TEST(ImageInputNode, TurnsRawBase64IntoADataUrlBySniffing) {
    NodeHarness node("image-input", std::string(R"({"imageFile":")") + kGif3x2 + "\"}");
    const auto result = node.run();
    ASSERT_TRUE(result.has_value()) << node.error();
    EXPECT_EQ(result->at("base64"), boost::json::string(std::string("data:image/gif;base64,") + kGif3x2));
    EXPECT_EQ(result->at("metadata").at("width"), 3);
}

TEST(ImageInputNode, EmptyWithoutImageAndFailsOnGarbage) {
    EXPECT_EQ(NodeHarness("image-input").run(), json(R"({"base64":"","metadata":{}})"));
    NodeHarness bad("image-input");
    EXPECT_FALSE(bad.external(json(R"("not base64 at all!")")).run().has_value());
    EXPECT_EQ(bad.error(), "Invalid image data");
    NodeHarness wrong_type("image-input");
    EXPECT_FALSE(wrong_type.external(json(R"("data:text/plain;base64,aGVsbG8=")")).run().has_value());
}

TEST(ImageInputNode, EnforcesTheSizeLimit) {
    NodeHarness node("image-input");
    node.limits().max_input_size = 10;
    EXPECT_FALSE(node.external(boost::json::string(kPng1x1)).run().has_value());
    EXPECT_NE(node.error().find("larger than the limit"), std::string::npos);
}

TEST(PdfInputNode, ExtractsTextPerPage) {
    NodeHarness node("pdf-input");
    const auto pdf = util::base64_encode(make_pdf("Hello PDF world"));
    const auto result = node.external(boost::json::string("data:application/pdf;base64," + pdf)).run();
    ASSERT_TRUE(result.has_value()) << node.error();
    EXPECT_EQ(result->at("text"), "Page 1: Hello PDF world");
    const auto& metadata = result->at("metadata");
    EXPECT_EQ(metadata.at("pageCount"), 1);
    EXPECT_EQ(metadata.at("totalPagesInDocument"), 1);
    EXPECT_EQ(metadata.at("extractedWords"), 5);
}

TEST(PdfInputNode, SoftFailsOnCorruptInputUnlessStrict) {
    NodeHarness node("pdf-input");
    const auto result = node.external(boost::json::string(util::base64_encode("not a pdf"))).run();
    ASSERT_TRUE(result.has_value());
    EXPECT_EQ(result->at("text"), "");
    EXPECT_EQ(std::string(result->at("metadata").at("error").as_string()).rfind("PDF processing failed: ", 0), 0u);
    EXPECT_EQ(node.logs().size(), 1u);

    NodeHarness strict("pdf-input");
    strict.limits().strict_node_errors = true;
    EXPECT_FALSE(strict.external(boost::json::string(util::base64_encode("not a pdf"))).run().has_value());

    EXPECT_EQ(NodeHarness("pdf-input").run()->at("metadata").at("error"), "No PDF file provided");
}

TEST(FileUploadNode, EmitsContentInTheConfiguredFormat) {
    const auto text_b64 = util::base64_encode("hi\xff");
    auto run_with = [&](std::string_view format) {
        NodeHarness node("file-upload", std::string(R"({"outputFormat":")") + std::string(format) + "\"}");
        return node.external(boost::json::object{{"data", text_b64}, {"name", "a.txt"}, {"type", "text/plain"}})
            .run()
            .value();
    };
    EXPECT_EQ(run_with("base64").at("content"), boost::json::string(text_b64));
    EXPECT_EQ(run_with("dataurl").at("content"), boost::json::string("data:text/plain;base64," + text_b64));
    EXPECT_EQ(run_with("text").at("content"), "hi\xEF\xBF\xBD");
    EXPECT_EQ(run_with("binary").at("content"), json("[104,105,255]"));
    EXPECT_EQ(run_with("file").at("content"),
              json(R"({"name":"a.txt","size":3,"type":"text/plain","lastModified":null})"));
    EXPECT_EQ(run_with("text").at("metadata"),
              json(R"({"name":"a.txt","size":3,"type":"text/plain","lastModified":null,"format":"text"})"));
}

TEST(FileUploadNode, TakesTheMimeTypeFromDataUrls) {
    NodeHarness node("file-upload");
    const auto result = node.external(json(R"("data:application/json;base64,e30=")")).run().value();
    EXPECT_EQ(result.at("metadata").at("type"), "application/json");
    EXPECT_EQ(result.at("metadata").at("name"), "uploaded_file");
    EXPECT_EQ(result.at("content"), "e30=");
}

TEST(FileUploadNode, EnforcesSizeAndAcceptedTypes) {
    NodeHarness big("file-upload", R"({"maxSize":2000})");  // > 1024: bytes
    const std::string payload(3000, 'x');
    EXPECT_FALSE(big.external(boost::json::string(util::base64_encode(payload))).run().has_value());
    EXPECT_EQ(big.error().rfind("File size exceeds ", 0), 0u) << big.error();

    NodeHarness typed("file-upload", R"({"acceptedTypes":".pdf, image/*"})");
    EXPECT_FALSE(typed.external(json(R"({"data":"aGk=","name":"a.txt","type":"text/plain"})")).run().has_value());
    EXPECT_EQ(typed.error(), "File type not accepted. Accepted types: .pdf, image/*");
    EXPECT_TRUE(typed.external(json(R"({"data":"aGk=","name":"A.PDF"})")).run().has_value());
    EXPECT_TRUE(typed.external(json(R"("data:image/png;base64,aGk=")")).run().has_value());
}

TEST(FileUploadNode, UsesTheSavedFileOrNothing) {
    NodeHarness saved("file-upload", R"({"outputs":{"content":"saved text","metadata":{"name":"n.txt"}}})");
    EXPECT_EQ(saved.run(), json(R"({"content":"saved text","metadata":{"name":"n.txt"}})"));
    EXPECT_EQ(NodeHarness("file-upload").run(), json(R"({"content":null,"metadata":null})"));
    NodeHarness invalid("file-upload");
    EXPECT_FALSE(invalid.external(json("42")).run().has_value());
}

}  // namespace
}  // namespace clara::nodes
