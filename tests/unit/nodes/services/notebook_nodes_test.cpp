#include "../service_node_harness.hpp"
#include "fake_service.hpp"

namespace clara::nodes::testing {
namespace {

namespace json = boost::json;
using engine::FailureKind;

json::value jv(const std::string& text) { return json::string(text); }

constexpr std::string_view kUploaded =
    R"([{"id":"doc-7","filename":"meeting_notes.txt","notebook_id":"nb 1/x",
         "uploaded_at":"2025-01-01T00:00:00","status":"processing"}])";

// notebook-writer ------------------------------------------------------------------------------

TEST(NotebookWriterNode, UploadsTheTextAsADocument) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(kUploaded); });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "notebook-writer", R"({"selectedNotebook":"nb 1/x"})");
    run.input("text", "Meeting notes: Q3!\nSecond line");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(*result, json::parse(R"({"documentId":"doc-7","success":true})"));

    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/notebooks/nb%201%2Fx/documents");
    const auto parts = parse_form(request);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].name, "files");
    EXPECT_EQ(parts[0].filename, "meeting notes_ q3_.txt");
    EXPECT_EQ(parts[0].content_type, "text/plain");
    EXPECT_EQ(parts[0].data, "Meeting notes: Q3!\nSecond line");
}

TEST(NotebookWriterNode, TitlesComeFromTheSettingOrAShortenedFirstLine) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(kUploaded); });
    ServiceEnvironment env;
    env.settings().notebook_backend_url = server.url();
    env.settings().python_backend_url = "http://127.0.0.1:1";
    auto file_name = [&](std::string_view data, std::string_view text) {
        const auto before = server.count();
        ServiceNodeRun run(env, "notebook-writer", data);
        run.input("content", jv(std::string(text)));
        EXPECT_TRUE(run.run()) << run.error();
        const auto parts = parse_form(server.request(before));
        return parts.empty() ? std::string() : parts[0].filename.value_or("");
    };
    EXPECT_EQ(file_name(R"({"selectedNotebook":"n","documentTitle":" Report 2025 "})", "body"),
              "report 2025.txt");
    EXPECT_EQ(file_name(R"({"selectedNotebook":"n"})", std::string(60, 'A')),
              std::string(47, 'a') + "___.txt");
    EXPECT_EQ(file_name(R"({"selectedNotebook":"n"})", "\nstarts with a blank line"),
              "untitled document.txt");
    // One '_' per UTF-16 unit, as the Studio's regular expression replaced them.
    EXPECT_EQ(file_name(R"({"selectedNotebook":"n"})", "caf\xC3\xA9 \xF0\x9F\x98\x80"),
              "caf_ __.txt");
}

TEST(NotebookWriterNode, BlankTextIsANodeError) {
    ServiceEnvironment env;
    ServiceNodeRun run(env, "notebook-writer", R"({"selectedNotebook":"n"})");
    run.input("text", "  ");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Text content is required for notebook writing");
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
}

TEST(NotebookWriterNode, MissingNotebookIsASoftFailure) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(kUploaded); });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "notebook-writer");
    run.input("text", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_TRUE(result->at("documentId").is_null());
    EXPECT_EQ(result->at("success"), false);
    EXPECT_NE(result->at("error").as_string().find("selectedNotebook"), json::string::npos);
    EXPECT_EQ(server.count(), 0u);
    ASSERT_FALSE(run.logs().empty());
    EXPECT_EQ(run.logs().back().level, "warn");
}

TEST(NotebookWriterNode, ServiceErrorsAreSoftFailuresAndNeverFabricated) {
    FakeService server([](const ReceivedRequest& request) {
        if (request.target.find("/missing/") != std::string::npos) {
            return FakeReply::json(R"({"detail":"Notebook not found"})", 404);
        }
        if (request.target.find("/empty/") != std::string::npos) {
            return FakeReply::json("[]");
        }
        return FakeReply{500, "oops"};
    });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    for (const auto& [notebook, message] : std::vector<std::pair<std::string, std::string>>{
             {"missing", "Notebook not found"},
             {"empty", "Failed to create document - no result returned"},
             {"broken", "HTTP 500 Internal Server Error"}}) {
        ServiceNodeRun run(env, "notebook-writer", R"({"selectedNotebook":")" + notebook + R"("})");
        run.input("text", "x");
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        EXPECT_EQ(
            *result,
            (json::object{{"documentId", nullptr}, {"success", false}, {"error", jv(message)}}));
    }
    ServiceEnvironment down;
    down.settings().python_backend_url = "http://127.0.0.1:1";
    ServiceNodeRun run(down, "notebook-writer", R"({"selectedNotebook":"n"})");
    run.input("text", "x");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    EXPECT_EQ(result->at("success"), false);
    EXPECT_TRUE(result->at("documentId").is_null());
}

// notebook-chat --------------------------------------------------------------------------------

constexpr std::string_view kAnswer =
    R"({"answer":"It is 42.","mode":"hybrid","context_used":true,
        "citations":[{"filename":"a.txt","file_path":"/a.txt","document_id":"d1","title":"A"},
                     {"filename":"b.txt","file_path":"/b.txt","document_id":"d2","title":"B"}]})";

TEST(NotebookChatNode, AsksTheNotebookAndReturnsTheAnswerWithCitations) {
    FakeService server([](const ReceivedRequest&) { return FakeReply::json(kAnswer); });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "notebook-chat", R"({"selectedNotebook":"nb-1"})");
    run.input("question", "  What is it?  ");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();

    const auto request = server.request();
    EXPECT_EQ(request.method, "POST");
    EXPECT_EQ(request.target, "/notebooks/nb-1/chat");
    EXPECT_EQ(request.header("Content-Type"), "application/json");
    EXPECT_EQ(
        json::parse(request.body),
        json::parse(
            R"({"question":"What is it?","mode":"hybrid","response_type":"Multiple Paragraphs",
                              "top_k":60,"llm_provider":null,"use_chat_history":true})"));

    EXPECT_EQ(result->at("answer"), "It is 42.");
    EXPECT_EQ(result->at("citations"), json::parse(kAnswer).at("citations"));
    EXPECT_EQ(result->at("success"), true);
    EXPECT_EQ(result->at("citationCount"), 2u);
    EXPECT_EQ(result->at("responseLength"), 9u);
}

TEST(NotebookChatNode, SendsTheConfiguredModeAndHistorySetting) {
    FakeService server(
        [](const ReceivedRequest&) { return FakeReply::json(R"({"answer":"ok"})"); });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    ServiceNodeRun run(env, "notebook-chat",
                       R"({"selectedNotebook":"n","responseMode":"local","useChatHistory":false})");
    run.input("query", "q");
    const auto result = run.run();
    ASSERT_TRUE(result) << run.error();
    const auto body = json::parse(server.request().body);
    EXPECT_EQ(body.at("mode"), "local");
    EXPECT_EQ(body.at("use_chat_history"), false);
    EXPECT_EQ(result->at("citations"), json::array());
    EXPECT_EQ(result->at("citationCount"), 0u);
}

TEST(NotebookChatNode, BlankQueryIsANodeError) {
    ServiceEnvironment env;
    ServiceNodeRun run(env, "notebook-chat", R"({"selectedNotebook":"n"})");
    EXPECT_FALSE(run.run());
    EXPECT_EQ(run.error(), "Query text is required for notebook chat");
    EXPECT_EQ(run.failure_kind(), FailureKind::kNode);
}

TEST(NotebookChatNode, FailuresAreSoftAndNeverFabricated) {
    FakeService server([](const ReceivedRequest& request) {
        if (request.target.find("/silent/") != std::string::npos) {
            return FakeReply::json(R"({"answer":"","mode":"hybrid"})");
        }
        return FakeReply::json(R"({"detail":"LLM provider not configured"})", 400);
    });
    ServiceEnvironment env;
    env.settings().python_backend_url = server.url();
    const json::object soft{{"answer", ""},
                            {"citations", json::array()},
                            {"success", false},
                            {"citationCount", 0},
                            {"responseLength", 0}};
    for (const auto& [data, message] : std::vector<std::pair<std::string, std::string>>{
             {R"({"selectedNotebook":"silent"})", "No response received from notebook"},
             {R"({"selectedNotebook":"other"})", "LLM provider not configured"},
             {R"({})", "No notebook selected (selectedNotebook is empty)"}}) {
        ServiceNodeRun run(env, "notebook-chat", data);
        run.input("text", "q");
        const auto result = run.run();
        ASSERT_TRUE(result) << run.error();
        auto expected = soft;
        expected["error"] = jv(message);
        EXPECT_EQ(*result, expected);
    }
    EXPECT_EQ(server.count(), 2u);
}

}  // namespace
}  // namespace clara::nodes::testing
