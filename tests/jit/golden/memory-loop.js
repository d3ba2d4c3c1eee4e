(function region(cpu, budget, pc0) {
  const s = cpu.i32, f = cpu.f64, dv = cpu.rdv, ram = cpu.ram, tR = cpu.tagR, tW = cpu.tagW, to = cpu.toff;
  const ip0 = f[192] - D[pc0];
  let r0 = s[0], h0 = s[1], r1 = s[2], h1 = s[3], r2 = s[4], h2 = s[5], r4 = s[8], h4 = s[9], r6 = s[12], h6 = s[13], r7 = s[14], h7 = s[15];
  let sse = (s[80] & 12) === 0 && (s[83] & 512) !== 0;
  let fop = 0, fsz = 0, fr = 0, frh = 0, fa = 0, fah = 0, fb = 0, fbh = 0, fcin = 0, fmask = 0, fcf = -1, fov = -1, fia = 0, fib = 0;
  let c0p = 1, c0o = 0, c1p = 1, c1o = 0;
  let n = 0, pb = 0, pc = pc0, xr = 0, xa = 0, xb = 0, xv = 0, cur = 0, chk = 0, ea = 0, ua = 0, ub = 0, hit = false, pg = 0, ti = 0, po = 0, m = 0, mh = 0, t = 0, th = 0, u = 0, uh = 0;
  try {
    L: for (; ; ) {
      switch (pc) {
        case 0:
          B0: for (; ; ) {
            // 100000: mov rax,qword ptr [rsi+rcx*8]
            ua = r6 + (r1 << 3) | 0;
            if ((h6 | h1 | r1 >>> 29) === 0 && ua >>> 0 >= r6 >>> 0) {
              if ((ua & -4089) === c0p) {
                pb = c0o + ua | 0;
                hit = true;
              } else {
                ea = ua >>> 0;
                ti = ua >>> 12 & 16383;
                po = ua & 4095;
                hit = tR[ti] === ua >>> 12 && po <= 4088;
                pb = to[ti] + po;
                if (hit) {
                  c0p = ua & -4096;
                  c0o = pb - ua | 0;
                }
              }
            } else {
              ea = (r6 >>> 0) + (r1 >>> 0) * 8;
              ea = (h6 + h1 * 8 + Math.floor(ea / 4294967296) | 0) * 4294967296 + (ea >>> 0);
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
              cur = 0;
              m = J.rd(cpu, ea, 8, false) | 0;
              mh = cpu.hi | 0;
            }
            r0 = m;
            h0 = mh;
            // 100004: add qword ptr [rdi+rcx*8],rax
            ua = r7 + (r1 << 3) | 0;
            if ((h7 | h1 | r1 >>> 29) === 0 && ua >>> 0 >= r7 >>> 0) {
              if ((ua & -4089) === c1p) {
                pb = c1o + ua | 0;
                hit = true;
              } else {
                ea = ua >>> 0;
                ti = ua >>> 12 & 16383;
                po = ua & 4095;
                hit = tW[ti] === ua >>> 12 && po <= 4088;
                pb = to[ti] + po;
                if (hit) {
                  c1p = ua & -4096;
                  c1o = pb - ua | 0;
                }
              }
            } else {
              ea = (r7 >>> 0) + (r1 >>> 0) * 8;
              ea = (h7 + h1 * 8 + Math.floor(ea / 4294967296) | 0) * 4294967296 + (ea >>> 0);
              pg = Math.floor(ea / 4096);
              ti = pg & 16383;
              po = ea & 4095;
              hit = tW[ti] === pg && po <= 4088;
              pb = to[ti] + po;
            }
            if (hit) {
              m = dv.getInt32(pb, true);
              mh = dv.getInt32(pb + 4, true);
            } else {
              cur = 1;
              m = J.rd(cpu, ea, 8, true) | 0;
              mh = cpu.hi | 0;
            }
            t = m + r0 | 0;
            th = mh + h0 + (t >>> 0 < m >>> 0 ? 1 : 0) | 0;
            if (hit) {
              dv.setInt32(pb, t, true);
              dv.setInt32(pb + 4, th, true);
            } else {
              cur = 1;
              J.wr(cpu, ea, 8, t, th);
              chk = 1;
            }
            if (chk !== 0) {
              chk = 0;
              if (s[111] !== 0) {
                xr = ip0 + 8;
                n += 2;
                break L;
              }
            }
            // 100008: inc rcx
            t = r1 + 1 | 0;
            th = h1 + (t === 0 ? 1 : 0) | 0;
            r1 = t;
            h1 = th;
            // 10000b: cmp rcx,rdx
            t = r1 - r2 | 0;
            th = h1 - h2 - (r1 >>> 0 < r2 >>> 0 ? 1 : 0) | 0;
            fop = 2;
            fsz = 8;
            fr = t;
            frh = th;
            fmask = 2261;
            fa = r1;
            fah = h1;
            fb = r2;
            fbh = h2;
            fcf = -1;
            fov = -1;
            // 10000e: jb short 0000000000100000h
            if (fah >>> 0 < fbh >>> 0 || fah === fbh && fa >>> 0 < fb >>> 0) {
              n += 5;
              if (n >= budget) {
                xr = ip0 + 0;
                n += 0;
                break L;
              }
              continue B0;
            }
            n += 5;
            pc = 1;
            continue L;
          }
        case 1:
          // 100010: ret
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
            cur = 5;
            m = J.rd(cpu, ea, 8, false) | 0;
            mh = cpu.hi | 0;
          }
          t = mh * 4294967296 + (m >>> 0);
          if (t < -140737488355328 || t >= 140737488355328) {
            s[0] = r0;
            s[1] = h0;
            s[12] = r6;
            s[13] = h6;
            s[2] = r1;
            s[3] = h1;
            s[14] = r7;
            s[15] = h7;
            s[4] = r2;
            s[5] = h2;
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
            f[192] = ip0 + 17;
            cur = 5;
            H[5](cpu, I[5]);
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
    s[0] = r0;
    s[1] = h0;
    s[12] = r6;
    s[13] = h6;
    s[2] = r1;
    s[3] = h1;
    s[14] = r7;
    s[15] = h7;
    s[4] = r2;
    s[5] = h2;
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
    s[0] = r0;
    s[1] = h0;
    s[12] = r6;
    s[13] = h6;
    s[2] = r1;
    s[3] = h1;
    s[14] = r7;
    s[15] = h7;
    s[4] = r2;
    s[5] = h2;
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
