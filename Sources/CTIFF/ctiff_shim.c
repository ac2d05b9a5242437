// libtiff from memory through TIFFClientOpenExt; libtiff's errors and warnings go to handlers that
// keep the first error text (never to stderr). Ours: one strip or tile buffer, freed on every path.
#include "ctiff_shim.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

typedef struct { const uint8_t *data; toff_t size, pos; cs_tiff_info *info; } cs_tiff_src;

static tmsize_t t_read(thandle_t h, void *buf, tmsize_t n) {
    cs_tiff_src *s = (cs_tiff_src *)h;
    if (s->pos >= s->size) return 0;
    toff_t left = s->size - s->pos;
    toff_t k = (toff_t)n < left ? (toff_t)n : left;
    memcpy(buf, s->data + s->pos, (size_t)k);
    s->pos += k;
    return (tmsize_t)k;
}
static tmsize_t t_write(thandle_t h, void *buf, tmsize_t n) { (void)h; (void)buf; (void)n; return -1; }
static toff_t t_seek(thandle_t h, toff_t off, int whence) {
    cs_tiff_src *s = (cs_tiff_src *)h;
    toff_t base = whence == SEEK_CUR ? s->pos : whence == SEEK_END ? s->size : 0;
    s->pos = base + off;
    return s->pos;
}
static int t_close(thandle_t h) { (void)h; return 0; }
static toff_t t_size(thandle_t h) { return ((cs_tiff_src *)h)->size; }
static int t_map(thandle_t h, void **base, toff_t *size) { (void)h; (void)base; (void)size; return 0; }
static void t_unmap(thandle_t h, void *base, toff_t size) { (void)h; (void)base; (void)size; }

static int on_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)module;
    cs_tiff_info *info = (cs_tiff_info *)user;
    if (info->message[0] == 0) vsnprintf(info->message, sizeof info->message, fmt, ap);
    return 1;
}
static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    (void)tif; (void)user; (void)module; (void)fmt; (void)ap;
    return 1;
}

static TIFF *open_tiff(cs_tiff_src *src, cs_tiff_info *info) {
    TIFFOpenOptions *opts = TIFFOpenOptionsAlloc();
    if (!opts) { snprintf(info->message, sizeof info->message, "out of memory"); return NULL; }
    TIFFOpenOptionsSetErrorHandlerExtR(opts, on_error, info);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, on_warning, info);
    TIFF *tif = TIFFClientOpenExt("memory", "rm", (thandle_t)src, t_read, t_write, t_seek, t_close, t_size,
                                  t_map, t_unmap, opts);
    TIFFOpenOptionsFree(opts);
    if (!tif && info->message[0] == 0) snprintf(info->message, sizeof info->message, "cannot read the TIFF header");
    return tif;
}

static int header(TIFF *tif, cs_tiff_info *info) {
    uint32_t w = 0, h = 0;
    uint16_t bits = 1, spp = 1, photo = 0, comp = 1, planar = 1;
    TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w);
    TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h);
    TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &bits);
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &spp);
    TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &planar);
    TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &comp);
    if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &photo)) photo = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
    info->width = w; info->height = h;
    info->bits = bits; info->samples = spp; info->photometric = photo; info->compression = comp;
    info->planar = planar; info->tiled = TIFFIsTiled(tif) ? 1 : 0;
    if (w == 0 || h == 0) { snprintf(info->message, sizeof info->message, "empty image (%ux%u)", w, h); return -1; }
    return 0;
}

int cs_tiff_read_header(const uint8_t *data, size_t size, cs_tiff_info *info) {
    memset(info, 0, sizeof *info);
    cs_tiff_src src = {data, size, 0, info};
    TIFF *tif = open_tiff(&src, info);
    if (!tif) return -1;
    int rc = header(tif, info);
    TIFFClose(tif);
    return rc;
}

static inline unsigned sample(const uint8_t *row, size_t i, int bits) {
    switch (bits) {
    case 8: return row[i];
    case 16: return ((const uint16_t *)row)[i] >> 8;            // native order after libtiff: high byte
    default: {
        size_t bit = i * (size_t)bits;
        return (row[bit >> 3] >> (8 - bits - (bit & 7))) & ((1u << bits) - 1);
    }
    }
}

int cs_tiff_decode_rgb8(const uint8_t *data, size_t size, uint8_t *out, size_t out_size, cs_tiff_info *info) {
    memset(info, 0, sizeof *info);
    cs_tiff_src src = {data, size, 0, info};
    TIFF *tif = open_tiff(&src, info);
    if (!tif) return -1;
    uint8_t *buf = NULL;
    int rc = -1;
    if (header(tif, info) != 0) goto done;
    size_t w = info->width, h = info->height;
    int bits = info->bits, spp = info->samples, photo = info->photometric;
    uint16_t fmt = SAMPLEFORMAT_UINT;
    TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &fmt);
    if (out == NULL || out_size < w * h * 3) { snprintf(info->message, sizeof info->message, "output buffer too small"); goto done; }
    if (fmt != SAMPLEFORMAT_UINT || !(bits == 1 || bits == 2 || bits == 4 || bits == 8 || bits == 16)) {
        snprintf(info->message, sizeof info->message, "unsupported sample layout (%d-bit, format %u)", bits, fmt);
        goto done;
    }
    if (info->planar != PLANARCONFIG_CONTIG && spp > 1) {
        snprintf(info->message, sizeof info->message, "unsupported planar (separate) sample layout");
        goto done;
    }
    if (photo == PHOTOMETRIC_YCBCR && info->compression == COMPRESSION_JPEG) {
        TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
        photo = PHOTOMETRIC_RGB;
    }
    uint16_t *cmap[3] = {NULL, NULL, NULL};
    int colors = 0;
    if (photo == PHOTOMETRIC_PALETTE) {
        if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &cmap[0], &cmap[1], &cmap[2]) || bits > 8) {
            snprintf(info->message, sizeof info->message, "palette image without a usable colour map");
            goto done;
        }
        colors = 1 << bits;
    } else if (!((photo == PHOTOMETRIC_MINISBLACK || photo == PHOTOMETRIC_MINISWHITE) ||
                 (photo == PHOTOMETRIC_RGB && spp >= 3))) {
        snprintf(info->message, sizeof info->message, "unsupported photometric interpretation %d with %d samples", photo, spp);
        goto done;
    }
    if (photo == PHOTOMETRIC_RGB && bits < 8) {
        snprintf(info->message, sizeof info->message, "unsupported %d-bit RGB", bits);
        goto done;
    }
    unsigned maxv = bits >= 8 ? 255 : (1u << bits) - 1;
    // One block: a strip (full width) or a tile.
    uint32_t bw = (uint32_t)w, bh = 0;
    tmsize_t bsize;
    if (info->tiled) {
        TIFFGetField(tif, TIFFTAG_TILEWIDTH, &bw);
        TIFFGetField(tif, TIFFTAG_TILELENGTH, &bh);
        bsize = TIFFTileSize(tif);
    } else {
        bh = 0;
        TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &bh);
        if (bh == 0 || bh > h) bh = (uint32_t)h;
        bsize = TIFFStripSize(tif);
    }
    if (bw == 0 || bh == 0 || bsize <= 0) { snprintf(info->message, sizeof info->message, "bad strip or tile size"); goto done; }
    size_t row_bytes = ((size_t)bw * (size_t)spp * (size_t)bits + 7) / 8;
    if ((size_t)bsize < row_bytes * bh) { snprintf(info->message, sizeof info->message, "bad strip or tile size"); goto done; }
    buf = (uint8_t *)malloc((size_t)bsize);
    if (!buf) { snprintf(info->message, sizeof info->message, "out of memory"); goto done; }
    for (uint32_t y0 = 0; y0 < h; y0 += bh) {
        for (uint32_t x0 = 0; x0 < w; x0 += bw) {
            tmsize_t got = info->tiled ? TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x0, y0, 0, 0), buf, bsize)
                                       : TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y0, 0), buf, bsize);
            if (got < 0) {
                if (info->message[0] == 0) snprintf(info->message, sizeof info->message, "cannot decode TIFF data");
                goto done;
            }
            uint32_t rows = (uint32_t)(h - y0 < bh ? h - y0 : bh);
            uint32_t cols = (uint32_t)(w - x0 < bw ? w - x0 : bw);
            if (!info->tiled && (size_t)got < row_bytes * rows) {
                snprintf(info->message, sizeof info->message, "TIFF strip ends early");
                goto done;
            }
            for (uint32_t r = 0; r < rows; r++) {
                const uint8_t *row = buf + row_bytes * r;
                uint8_t *o = out + ((size_t)(y0 + r) * w + x0) * 3;
                for (uint32_t c = 0; c < cols; c++, o += 3) {
                    size_t s = (size_t)c * (size_t)spp;
                    if (photo == PHOTOMETRIC_RGB) {
                        o[0] = (uint8_t)sample(row, s, bits); o[1] = (uint8_t)sample(row, s + 1, bits);
                        o[2] = (uint8_t)sample(row, s + 2, bits);
                    } else if (photo == PHOTOMETRIC_PALETTE) {
                        unsigned k = sample(row, s, bits);
                        o[0] = (uint8_t)(cmap[0][k] >> 8); o[1] = (uint8_t)(cmap[1][k] >> 8); o[2] = (uint8_t)(cmap[2][k] >> 8);
                    } else {
                        unsigned v = sample(row, s, bits);
                        if (photo == PHOTOMETRIC_MINISWHITE) v = maxv - v;
                        uint8_t g = (uint8_t)(bits >= 8 ? v : v * 255 / maxv);
                        o[0] = o[1] = o[2] = g;
                    }
                }
            }
        }
    }
    (void)colors;
    rc = 0;
done:
    free(buf);
    TIFFClose(tif);
    return rc;
}
