(function region(cpu, budget, pc0) {
  const s = cpu.i32, f = cpu.f64, dv = cpu.rdv, ram = cpu.ram, tR = cpu.tagR, tW = cpu.tagW, to = cpu.toff;
  const ip0 = f[192] - D[pc0];
  let r0 = s[0], h0 = s[1], r2 = s[4], h2 = s[5], r4 = s[8], h4 = s[9], r6 = s[12], h6 = s[13], r7 = s[14], h7 = s[15];
  let sse = (s[80] & 12) === 0 && (s[83] & 512) !== 0;
  let fop = 0, fsz = 0, fr = 0, frh = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fcin = 0, fmask = 0, fcf = -1, fov = -1, fia = 0, fib = 0;
  let c0p = 1, c0o = 0;
  let n = 0, pb = 0, pc = pc0, xr = 0, xa = 0, xb = 0, xv = 0, cur = 0, chk = 0, ea = 0, ua = 0, ub = 0, hit = false, pg = 0, ti = 0, po = 0, m = 0, mh = 0, t = 0, th = 0, u = 0, uh = 0;
  try {
    L: for (; ; ) {
      switch (pc) {
        case 0:
          B0: for (; ; ) {
            // 100000: cmp byte ptr [rdi+rax],0
            ua = r7 + r0 | 0;
            if ((h7 | h0) === 0 && ua >>> 0 >= r7 >>> 0) {
              if ((ua & -4096) === c0p) {
                pb = c0o + ua | 0;
                hit = true;
              } else {
                ea = ua >>> 0;
                ti = ua >>> 12 & 16383;
                po = ua & 4095;
                hit = tR[ti] === ua >>> 12;
                pb = to[ti] + po;
                if (hit) {
                  c0p = ua & -4096;
                  c0o = pb - ua | 0;
                }
              }
            } else {
              ea = (r7 >>> 0) + (r0 >>> 0);
              ea = (h7 + h0 + Math.floor(ea / 4294967296) | 0) * 4294967296 + (ea >>> 0);
              pg = Math.floor(ea / 4096);
              ti = pg & 16383;
              po = ea & 4095;
              hit = tR[ti] === pg;
              pb = to[ti] + po;
            }
            if (hit) m = ram[pb]; else {
              cur = 0;
              m = J.rd(cpu, ea, 1, false);
            }
            t = m - 0 & 255;
            fop = 2;
            fsz = 1;
            fr = t;
            frh = 0;
            fmask = 2261;
            fa = m;
            fah = mh;
            fb = 0;
            fbh = 0;
            fcf = -1;
            fov = -1;
            // 100004: jne short 0000000000100013h
            if (!(fr === 0)) {
              n += 2;
              // 100013: inc rax
              t = r0 + 1 | 0;
              th = h0 + (t === 0 ? 1 : 0) | 0;
              r0 = t;
              h0 = th;
              // 100016: cmp rax,rdx
              t = r0 - r2 | 0;
              th = h0 - h2 - (r0 >>> 0 < r2 >>> 0 ? 1 : 0) | 0;
              fop = 2;
              fsz = 8;
              fr = t;
              frh = th;
              fmask = 2261;
              fa = r0;
              fah = h0;
              fb = r2;
              fbh = h2;
              fcf = -1;
              fov = -1;
              // 100019: jne short 0000000000100000h
              if (!(fr === 0 && frh === 0)) {
                n += 3;
                if (n >= budget) {
                  xr = ip0 + 0;
                  n += 0;
                  break L;
                }
                continue B0;
              }
              n += 3;
              pc = 3;
              continue L;
            }
            n += 2;
            // 100006: add rsi,1
            t = r6 + 1 | 0;
            th = h6 + 0 + (t >>> 0 < r6 >>> 0 ? 1 : 0) | 0;
            r6 = t;
            h6 = th;
            // 10000a: inc rax
            t = r0 + 1 | 0;
            th = h0 + (t === 0 ? 1 : 0) | 0;
            r0 = t;
            h0 = th;
            // 10000d: cmp rax,rdx
            t = r0 - r2 | 0;
            th = h0 - h2 - (r0 >>> 0 < r2 >>> 0 ? 1 : 0) | 0;
            fop = 2;
            fsz = 8;
            fr = t;
            frh = th;
            fmask = 2261;
            fa = r0;
            fah = h0;
            fb = r2;
            fbh = h2;
            fcf = -1;
            fov = -1;
            // 100010: jne short 0000000000100000h
            if (!(fr === 0 && frh === 0)) {
              n += 4;
              if (n >= budget) {
                xr = ip0 + 0;
                n += 0;
                break L;
              }
              continue B0;
            }
            n += 4;
            pc = 4;
            continue L;
          }
        case 1:
          // 100013: inc rax
          t = r0 + 1 | 0;
          th = h0 + (t === 0 ? 1 : 0) | 0;
          r0 = t;
          h0 = th;
          // 100016: cmp rax,rdx
          t = r0 - r2 | 0;
          th = h0 - h2 - (r0 >>> 0 < r2 >>> 0 ? 1 : 0) | 0;
          fop = 2;
          fsz = 8;
          fr = t;
          frh = th;
          fmask = 2261;
          fa = r0;
          fah = h0;
          fb = r2;
          fbh = h2;
          fcf = -1;
          fov = -1;
          // 100019: jne short 0000000000100000h
          if (!(fr === 0 && frh === 0)) {
            n += 3;
            pc = 0;
            if (n >= budget) {
              xr = ip0 + 0;
              n += 0;
              break L;
            }
            continue L;
          }
          n += 3;
          pc = 3;
          continue L;
        case 2:
          // 100006: add rsi,1
          t = r6 + 1 | 0;
          th = h6 + 0 + (t >>> 0 < r6 >>> 0 ? 1 : 0) | 0;
          r6 = t;
          h6 = th;
          // 10000a: inc rax
          t = r0 + 1 | 0;
          th = h0 + (t === 0 ? 1 : 0) | 0;
          r0 = t;
          h0 = th;
          // 10000d: cmp rax,rdx
          t = r0 - r2 | 0;
          th = h0 - h2 - (r0 >>> 0 < r2 >>> 0 ? 1 : 0) | 0;
          fop = 2;
          fsz = 8;
          fr = t;
          frh = th;
          fmask = 2261;
          fa = r0;
          fah = h0;
          fb = r2;
          fbh = h2;
          fcf = -1;
          fov = -1;
          // 100010: jne short 0000000000100000h
          if (!(fr === 0 && frh === 0)) {
            n += 4;
            pc = 0;
            if (n >= budget) {
              xr = ip0 + 0;
              n += 0;
              break L;
            }
            continue L;
          }
          n += 4;
          pc = 4;
          continue L;
        case 3:
          // 10001b: ret
          ua = r4 + 0 | 0;
          if (h4 === 0) {
            ea = ua >>> 0;
            ti = ua >>> 12 & 16383;
            po = ua & 4095;
            hit = tR[ti] === ua >>> 12 && po <= 4088;
            pb = to[ti] + po;
          } else {
            ea = h4 * 4294967296 + (r4 >>> 0) + 0;
            pg = Math.floor(ea / 4096);
            ti = pg & 16383;
            po = ea & 4095;
            hit = tR[ti] === pg && po <= 4088;
            pb = to[ti] + po;
          }
          if (hit) {
            m = dv.getInt32(pb, true);
            mh = dv.getInt32(pb + 4, true);
          } else {
            cur = 9;
            m = J.rd(cpu, ea, 8, false) | 0;
            mh = cpu.hi | 0;
          }
          t = mh * 4294967296 + (m >>> 0);
          if (t < -140737488355328 || t >= 140737488355328) {
            s[14] = r7;
            s[15] = h7;
            s[0] = r0;
            s[1] = h0;
            s[4] = r2;
            s[5] = h2;
            s[12] = r6;
            s[13] = h6;
            s[8] = r4;
            s[9] = h4;
            if (fmask !== 0) {
              s[34] = fop;
              s[35] = fsz;
              s[36] = fr;
              s[37] = frh;
              s[38] = fa;
              s[39] = fah;
              s[40] = fb;
              s[41] = fbh;
              s[42] = fcin;
              s[33] = fmask;
              fmask = 0;
              if (fcf >= 0) {
                s[32] = s[32] & -2 | fcf;
              }
            }
            if (fov !== -1) {
              J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
              fov = -1;
            }
            f[192] = ip0 + 28;
            cur = 9;
            H[9](cpu, I[9]);
            return n + 1;
          }
          r4 = r4 + 8 | 0;
          if (r4 >>> 0 < 8) h4 = h4 + 1 | 0;
          xr = t;
          n += 1;
          break L;
        case 4:
          // 100012: ret
          ua = r4 + 0 | 0;
          if (h4 === 0) {
            ea = ua >>> 0;
            ti = ua >>> 12 & 16383;
            po = ua & 4095;
            hit = tR[ti] === ua >>> 12 && po <= 4088;
            pb = to[ti] + po;
          } else {
            ea = h4 * 4294967296 + (r4 >>> 0) + 0;
            pg = Math.floor(ea / 4096);
            ti = pg & 16383;
            po = ea & 4095;
            hit = tR[ti] === pg && po <= 4088;
            pb = to[ti] + po;
          }
          if (hit) {
            m = dv.getInt32(pb, true);
            mh = dv.getInt32(pb + 4, true);
          } else {
            cur = 10;
            m = J.rd(cpu, ea, 8, false) | 0;
            mh = cpu.hi | 0;
          }
          t = mh * 4294967296 + (m >>> 0);
          if (t < -140737488355328 || t >= 140737488355328) {
            s[14] = r7;
            s[15] = h7;
            s[0] = r0;
            s[1] = h0;
            s[4] = r2;
            s[5] = h2;
            s[12] = r6;
            s[13] = h6;
            s[8] = r4;
            s[9] = h4;
            if (fmask !== 0) {
              s[34] = fop;
              s[35] = fsz;
              s[36] = fr;
              s[37] = frh;
              s[38] = fa;
              s[39] = fah;
              s[40] = fb;
              s[41] = fbh;
              s[42] = fcin;
              s[33] = fmask;
              fmask = 0;
              if (fcf >= 0) {
                s[32] = s[32] & -2 | fcf;
              }
            }
            if (fov !== -1) {
              J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
              fov = -1;
            }
            f[192] = ip0 + 19;
            cur = 10;
            H[10](cpu, I[10]);
            return n + 1;
          }
          r4 = r4 + 8 | 0;
          if (r4 >>> 0 < 8) h4 = h4 + 1 | 0;
          xr = t;
          n += 1;
          break L;
      }
      return n;
    }
    s[14] = r7;
    s[15] = h7;
    s[0] = r0;
    s[1] = h0;
    s[4] = r2;
    s[5] = h2;
    s[12] = r6;
    s[13] = h6;
    s[8] = r4;
    s[9] = h4;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = xr;
    return n;
  } catch (e) {
    if (!(e instanceof J.CpuFault)) throw e;
    s[14] = r7;
    s[15] = h7;
    s[0] = r0;
    s[1] = h0;
    s[4] = r2;
    s[5] = h2;
    s[12] = r6;
    s[13] = h6;
    s[8] = r4;
    s[9] = h4;
    if (fmask !== 0) {
      s[34] = fop;
      s[35] = fsz;
      s[36] = fr;
      s[37] = frh;
      s[38] = fa;
      s[39] = fah;
      s[40] = fb;
      s[41] = fbh;
      s[42] = fcin;
      s[33] = fmask;
      fmask = 0;
      if (fcf >= 0) {
        s[32] = s[32] & -2 | fcf;
      }
    }
    if (fov !== -1) {
      J.putFlags(s, 2049, fov === -2 ? fia * fib !== Math.imul(fia, fib) ? 2049 : 0 : fov);
      fov = -1;
    }
    f[192] = ip0 + S[cur];
    cpu.jitFault = e;
    return n + R[cur];
  }
});
