// giflib from memory: records are read up to the first image; its rows (de-interlaced) go into
// an index canvas, mapped through the colour table at the end. Ours: the canvas and one line,
// freed on every path; giflib's own state is freed by DGifCloseFile.
#include "cgif_shim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gif_lib.h>

typedef struct { const uint8_t *data; size_t size, pos; int eof; } cs_gif_src;

static int cs_read(GifFileType *gif, GifByteType *out, int n) {
    cs_gif_src *s = (cs_gif_src *)gif->UserData;
    size_t left = s->size - s->pos;
    size_t k = (size_t)n <= left ? (size_t)n : left;
    if (k < (size_t)n) s->eof = 1;
    memcpy(out, s->data + s->pos, k);
    s->pos += k;
    return (int)k;
}

static int fail(cs_gif_info *info, const char *what, int code) {
    const char *e = GifErrorString(code);
    snprintf(info->message, sizeof info->message, "%s%s%s", what, e ? ": " : "", e ? e : "");
    return -1;
}

static int run(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_gif_info *info) {
    memset(info, 0, sizeof *info);
    info->transparent_index = -1;
    cs_gif_src src = {data, size, 0, 0};
    int err = 0;
    GifFileType *gif = DGifOpen(&src, cs_read, &err);
    if (gif == NULL) {
        info->hit_eof = src.eof;
        return fail(info, "cannot read the GIF header", err);
    }
    int rc = -1;
    uint8_t *canvas = NULL, *line = NULL;
    info->width = (uint32_t)gif->SWidth;
    info->height = (uint32_t)gif->SHeight;
    for (;;) {
        GifRecordType type;
        if (DGifGetRecordType(gif, &type) == GIF_ERROR) { fail(info, "bad GIF record", gif->Error); goto done; }
        if (type == TERMINATE_RECORD_TYPE) {
            snprintf(info->message, sizeof info->message, "the GIF has no image");
            goto done;
        }
        if (type == EXTENSION_RECORD_TYPE) {
            int code = 0;
            GifByteType *ext = NULL;
            if (DGifGetExtension(gif, &code, &ext) == GIF_ERROR) { fail(info, "bad GIF extension", gif->Error); goto done; }
            if (code == GRAPHICS_EXT_FUNC_CODE && ext != NULL && ext[0] >= 4)
                info->transparent_index = (ext[1] & 1) ? ext[4] : -1;
            while (ext != NULL) {
                if (DGifGetExtensionNext(gif, &ext) == GIF_ERROR) { fail(info, "bad GIF extension", gif->Error); goto done; }
            }
            continue;
        }
        if (type != IMAGE_DESC_RECORD_TYPE) continue;
        if (DGifGetImageDesc(gif) == GIF_ERROR) { fail(info, "bad GIF image descriptor", gif->Error); goto done; }
        break;
    }
    {
        GifImageDesc *d = &gif->Image;
        uint32_t x0 = (uint32_t)d->Left, y0 = (uint32_t)d->Top;
        uint32_t fw = (uint32_t)d->Width, fh = (uint32_t)d->Height;
        info->frame_width = fw;
        info->frame_height = fh;
        info->interlaced = d->Interlace ? 1 : 0;
        if (x0 + fw > info->width) info->width = x0 + fw;
        if (y0 + fh > info->height) info->height = y0 + fh;
        if (info->width == 0 || info->height == 0) {
            snprintf(info->message, sizeof info->message, "the GIF image is empty (0 pixels)");
            goto done;
        }
        if (out == NULL) { rc = 0; goto done; }
        size_t w = info->width, h = info->height;
        if (out_size < w * h * 3) { snprintf(info->message, sizeof info->message, "output buffer too small"); goto done; }
        canvas = (uint8_t *)malloc(w * h);
        line = (uint8_t *)malloc(fw ? fw : 1);
        if (!canvas || !line) { snprintf(info->message, sizeof info->message, "out of memory"); goto done; }
        memset(canvas, info->transparent_index >= 0 ? info->transparent_index : 0, w * h);
        static const uint32_t start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
        int passes = info->interlaced ? 4 : 1;
        for (int p = 0; p < passes; p++) {
            uint32_t y = info->interlaced ? start[p] : 0, dy = info->interlaced ? step[p] : 1;
            for (; y < fh; y += dy) {
                if (DGifGetLine(gif, line, (int)fw) == GIF_ERROR) {
                    info->hit_eof = src.eof;
                    fail(info, src.eof ? "GIF data ends early" : "bad GIF image data", gif->Error);
                    goto done;
                }
                memcpy(canvas + (size_t)(y0 + y) * w + x0, line, fw);
            }
        }
        // The colour table: local, else global; none, or an identity grey ramp, reads as grey.
        ColorMapObject *cm = d->ColorMap ? d->ColorMap : gif->SColorMap;
        int n = cm ? cm->ColorCount : 0;
        int ramp = 1;
        for (int i = 0; i < n && ramp; i++) {
            GifColorType c = cm->Colors[i];
            ramp = c.Red == i && c.Green == i && c.Blue == i;
        }
        for (size_t i = 0; i < w * h; i++) {
            int k = canvas[i];
            uint8_t r, g, b;
            if (n == 0 || ramp) { r = g = b = (uint8_t)k; }
            else if (k < n) { r = cm->Colors[k].Red; g = cm->Colors[k].Green; b = cm->Colors[k].Blue; }
            else { r = g = b = 0; }
            out[3 * i] = r; out[3 * i + 1] = g; out[3 * i + 2] = b;
        }
        rc = 0;
    }
done:
    free(canvas);
    free(line);
    DGifCloseFile(gif, &err);
    return rc;
}

int cs_gif_read_header(const uint8_t *data, size_t size, cs_gif_info *info) {
    return run(data, size, NULL, 0, info);
}

int cs_gif_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_gif_info *info) {
    if (out == NULL) {
        memset(info, 0, sizeof *info);
        snprintf(info->message, sizeof info->message, "no output buffer");
        return -1;
    }
    return run(data, size, out, out_size, info);
}
