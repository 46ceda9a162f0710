# The safe expression language of if-else (nodes.md § 7.1) and JS value semantics.
set(CLARA_ENGINE_EXPRESSION_SOURCES
    src/engine/js_value.cpp
    src/engine/expression.cpp
    src/engine/expression/js_number.cpp
    src/engine/expression/js_string.cpp
    src/engine/expression/value.cpp
    src/engine/expression/builtins.cpp
    src/engine/expression/lexer.cpp
    src/engine/expression/parser.cpp
    src/engine/expression/evaluator.cpp
)
