// clara-runner: serve (default), migrate, validate FILE, run FILE --input name=value.
#include "cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    CLI::App app{"Clara Agent Runner: Agent Studio workflows as REST APIs"};
    app.require_subcommand(0, 1);

    auto* serve = app.add_subcommand("serve", "Run the HTTP server (default)");
    auto* migrate = app.add_subcommand("migrate", "Apply pending database migrations");

    std::string file;
    auto* validate = app.add_subcommand("validate", "Check a workflow file; exit 1 on problems");
    validate->add_option("file", file, "Workflow JSON file")->required();

    std::vector<std::string> inputs;
    auto* run = app.add_subcommand("run", "Execute a workflow file locally and print its outputs");
    run->add_option("file", file, "Workflow JSON file")->required();
    run->add_option("--input,-i", inputs, "An input as name=value (repeatable)");

    CLI11_PARSE(app, argc, argv);

    if (*migrate) {
        return clara::cli::migrate();
    }
    if (*validate) {
        return clara::cli::validate(file);
    }
    if (*run) {
        std::map<std::string, std::string> values;
        for (const auto& input : inputs) {
            const auto equals = input.find('=');
            if (equals == std::string::npos) {
                std::fprintf(stderr, "--input expects name=value, got '%s'\n", input.c_str());
                return 2;
            }
            values[input.substr(0, equals)] = input.substr(equals + 1);
        }
        return clara::cli::run(file, values);
    }
    (void)serve;
    return clara::cli::serve();
}
