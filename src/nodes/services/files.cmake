list(APPEND CLARA_NODES_SOURCES
    src/nodes/services/service_catalog.cpp
    src/nodes/services/url_encoding.cpp
    src/nodes/services/service_text.cpp
    src/nodes/services/soft_failure.cpp
    src/nodes/services/audio_mime.cpp
    src/nodes/services/provider_key.cpp
    src/nodes/services/comfyui_api.cpp
    src/nodes/services/notebook_backend.cpp
    src/nodes/services/api_request_node.cpp
    src/nodes/services/comfyui_image_node.cpp
    src/nodes/services/whisper_transcription_node.cpp
    src/nodes/services/speech_to_text_node.cpp
    src/nodes/services/text_to_speech_node.cpp
    src/nodes/services/notebook_writer_node.cpp
    src/nodes/services/notebook_chat_node.cpp
)
