#include "fpo/render/video_writer.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <cstdio>
#include <filesystem>

#include "fpo/common/error.h"

namespace fpo::render {
namespace {

std::string av_message(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {0};
  av_strerror(code, text, sizeof text);
  return text;
}

void check(int code, const std::string& what) {
  if (code < 0) throw Error(what + ": " + av_message(code));
}

// yuv420p where the codec takes it (every player does); else its first format.
AVPixelFormat pick_pixel_format(const AVCodec* codec) {
  if (!codec->pix_fmts) return AV_PIX_FMT_YUV420P;
  for (const AVPixelFormat* f = codec->pix_fmts; *f != AV_PIX_FMT_NONE; ++f) {
    if (*f == AV_PIX_FMT_YUV420P) return *f;
  }
  return codec->pix_fmts[0];
}

}  // namespace

void VideoWriter::check_extension(const std::string& path) {
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext != ".mp4" && ext != ".mkv" && ext != ".mov" && ext != ".webm" && ext != ".avi" && ext != ".png") {
    throw Error("cannot write video '" + path + "': unknown extension '" + ext +
                "'; allowed: .mp4, .mkv, .mov, .webm, .avi, or .png for one still image");
  }
}

VideoWriter::VideoWriter(const std::string& path, int width, int height, int fps)
    : path_(path), tmp_path_(path + ".tmp"), width_(width), height_(height) {
  if (fps < 1 || fps > 1000) throw Error("fps " + std::to_string(fps) + " out of range; allowed: 1 to 1000");
  check_extension(path);
  const std::string ext = std::filesystem::path(path).extension().string();
  try {
    // The container is chosen by the real name; everything is written to the temporary one.
    const AVOutputFormat* container = av_guess_format(nullptr, path.c_str(), nullptr);
    if (!container) throw Error("FFmpeg has no container for '" + path + "'");
    check(avformat_alloc_output_context2(&format_, container, nullptr, tmp_path_.c_str()),
          "no container for '" + path + "'");
    av_log_set_level(AV_LOG_ERROR);  // failures reach the user as fpo::Error; no encoder chatter
    const AVCodec* codec =
        avcodec_find_encoder(av_guess_codec(container, nullptr, path.c_str(), nullptr, AVMEDIA_TYPE_VIDEO));
    if (!codec) throw Error("this FFmpeg has no encoder for '" + path + "' (" + ext + ")");
    const AVPixelFormat pixel_format = pick_pixel_format(codec);
    if (pixel_format == AV_PIX_FMT_YUV420P && (width % 2 || height % 2)) {
      throw Error("frame size " + std::to_string(width) + "x" + std::to_string(height) + " for '" + path +
                  "': the codec needs an even width and height");
    }
    stream_ = avformat_new_stream(format_, nullptr);
    codec_ = avcodec_alloc_context3(codec);
    frame_ = av_frame_alloc();
    packet_ = av_packet_alloc();
    if (!stream_ || !codec_ || !frame_ || !packet_) throw Error("out of memory setting up the video encoder");
    codec_->width = width;
    codec_->height = height;
    codec_->pix_fmt = pixel_format;
    codec_->time_base = AVRational{1, fps};
    codec_->framerate = AVRational{fps, 1};
    codec_->gop_size = 2 * fps;
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) codec_->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    AVDictionary* options = nullptr;
    if (codec->id == AV_CODEC_ID_H264) av_dict_set(&options, "crf", "20", 0);  // visually lossless enough, small
    if (codec->id == AV_CODEC_ID_MPEG4) codec_->bit_rate = 4000000;
    const int opened = avcodec_open2(codec_, codec, &options);
    av_dict_free(&options);
    check(opened, "cannot open the " + std::string(codec->name) + " encoder");
    check(avcodec_parameters_from_context(stream_->codecpar, codec_), "encoder parameters");
    stream_->time_base = codec_->time_base;

    frame_->format = pixel_format;
    frame_->width = width;
    frame_->height = height;
    check(av_frame_get_buffer(frame_, 0), "frame buffer");
    scaler_ = sws_getContext(width, height, AV_PIX_FMT_RGB24, width, height, pixel_format, SWS_BICUBIC, nullptr,
                             nullptr, nullptr);
    if (!scaler_) throw Error("no RGB to " + std::string(av_get_pix_fmt_name(pixel_format)) + " conversion");

    if (!(container->flags & AVFMT_NOFILE)) {  // image muxers open their file themselves
      check(avio_open(&format_->pb, tmp_path_.c_str(), AVIO_FLAG_WRITE), "cannot write '" + tmp_path_ + "'");
    }
    AVDictionary* muxer_options = nullptr;
    if (ext == ".png") av_dict_set(&muxer_options, "update", "1", 0);  // one file, not a numbered sequence
    const int header = avformat_write_header(format_, &muxer_options);
    av_dict_free(&muxer_options);
    check(header, "cannot start '" + path + "'");
  } catch (...) {
    release();
    throw;
  }
}

VideoWriter::~VideoWriter() { release(); }

void VideoWriter::release() {
  if (format_ && format_->pb) avio_closep(&format_->pb);
  if (!closed_) std::remove(tmp_path_.c_str());
  sws_freeContext(scaler_);
  av_packet_free(&packet_);
  av_frame_free(&frame_);
  avcodec_free_context(&codec_);
  avformat_free_context(format_);
  scaler_ = nullptr;
  format_ = nullptr;
}

std::string VideoWriter::codec_name() const { return codec_ ? codec_->codec->name : ""; }

void VideoWriter::write(const Frame& frame) {
  if (closed_) throw Error("video '" + path_ + "' is already closed");
  if (frame.width != width_ || frame.height != height_) {
    throw Error("frame of " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + " for a " +
                std::to_string(width_) + "x" + std::to_string(height_) + " video");
  }
  check(av_frame_make_writable(frame_), "frame buffer");
  const uint8_t* source[1] = {frame.rgb.data()};
  const int stride[1] = {3 * width_};
  sws_scale(scaler_, source, stride, 0, height_, frame_->data, frame_->linesize);
  frame_->pts = frames_++;
  encode(frame_);
}

void VideoWriter::encode(AVFrame* frame) {
  check(avcodec_send_frame(codec_, frame), "encoding frame " + std::to_string(frames_));
  while (true) {
    const int got = avcodec_receive_packet(codec_, packet_);
    if (got == AVERROR(EAGAIN) || got == AVERROR_EOF) return;
    check(got, "encoding");
    // Every frame lasts one tick; without it MP4's edit list ends before the last frame.
    if (packet_->duration == 0) packet_->duration = 1;
    av_packet_rescale_ts(packet_, codec_->time_base, stream_->time_base);
    packet_->stream_index = stream_->index;
    check(av_interleaved_write_frame(format_, packet_), "writing '" + tmp_path_ + "'");
  }
}

void VideoWriter::close() {
  if (closed_) return;
  if (frames_ == 0) throw Error("no frames for '" + path_ + "'");
  encode(nullptr);
  check(av_write_trailer(format_), "finishing '" + path_ + "'");
  if (format_->pb) check(avio_closep(&format_->pb), "closing '" + tmp_path_ + "'");
  std::error_code ec;
  std::filesystem::rename(tmp_path_, path_, ec);
  if (ec) throw Error("cannot move '" + tmp_path_ + "' to '" + path_ + "': " + ec.message());
  closed_ = true;
}

}  // namespace fpo::render
