//! Charts, drawn once for PNG and once for SVG by the same code (plotters), with the DejaVu
//! fonts compiled in, so nothing depends on the fonts of the machine.

use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::metrics::{Estimate, METRICS};
use crate::rules::{Channel, Reason};

/// Width and height of a chart, in pixels (stacked panels are taller).
pub const SIZE: (u32, u32) = (1000, 600);

/// A chart as PNG bytes and SVG text.
#[derive(Clone, Debug)]
pub struct Chart {
    /// File name without extension.
    pub name: String,
    pub title: String,
    /// Width and height in pixels.
    pub size: (u32, u32),
    pub png: Vec<u8>,
    pub svg: String,
}

/// The files of `charts`: a PNG and an SVG each.
pub fn chart_files(charts: &[Chart]) -> Vec<crate::output::OutputFile> {
    use crate::output::OutputFile;
    charts
        .iter()
        .flat_map(|c| {
            [
                OutputFile::new(format!("{}.png", c.name), c.png.clone()),
                OutputFile::new(format!("{}.svg", c.name), c.svg.clone().into_bytes()),
            ]
        })
        .collect()
}

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("chart {name}: {message}")]
pub struct ChartError {
    pub name: String,
    pub message: String,
}

static FONTS: Once = Once::new();

/// Registers the DejaVu fonts as `sans-serif` (once per process).
fn register_fonts() {
    FONTS.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            dejavu::sans::regular(),
        );
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// The colour of a channel; all channels together (`None`, the `all` row) are grey.
pub fn channel_colour(channel: Option<Channel>) -> RGBColor {
    match channel {
        Some(Channel::WhatsApp) => RGBColor(18, 140, 126),
        Some(Channel::Facebook) => RGBColor(24, 119, 242),
        Some(Channel::Instagram) => RGBColor(193, 53, 132),
        None => RGBColor(90, 90, 90),
    }
}

/// The colour of a summary row: its channel's, grey for `all`.
pub fn row_colour(row: &str) -> RGBColor {
    channel_colour(Channel::from_bytes(row.as_bytes()))
}

/// The colour of a reason: the same in every chart.
pub fn reason_colour(r: Reason) -> RGBColor {
    use Reason::*;
    match r {
        StandardWindow => RGBColor(46, 125, 50),
        HumanAgent => RGBColor(102, 187, 106),
        PrivateReply => RGBColor(0, 137, 123),
        PublicReply => RGBColor(128, 203, 196),
        AwaitingAcceptance => RGBColor(255, 193, 7),
        CustomerFirst => RGBColor(121, 85, 72),
        WindowClosed => RGBColor(229, 57, 53),
        ExtensionClosed => RGBColor(251, 140, 0),
        PrivateReplyUsed => RGBColor(142, 36, 170),
        PrivateReplyExpired => RGBColor(186, 104, 200),
        NoComment => RGBColor(96, 125, 139),
        AutomatedHumanAgent => RGBColor(0, 0, 0),
        PromotionalHumanAgent => RGBColor(63, 81, 181),
    }
}

type Area<'a, DB> = DrawingArea<DB, Shift>;

/// How the x axis of a line chart is labelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XFormat {
    /// Numbers as they are.
    Plain,
    /// Hours of the week: `Mon`, `Tue`, … at each day's start.
    WeekHours,
    /// Categories at 0, 1, 2, …
    Labels(Vec<String>),
    /// Whole numbers from 0 up to the given one (head counts): a tick at each.
    Whole(u32),
}

/// What a chart shows.
#[derive(Clone, Debug)]
pub enum Plot {
    /// Grouped bars with interval whiskers.
    Bars(BarChart),
    /// Stacked bars of reasons per group.
    Reasons {
        title: String,
        groups: Vec<(String, Vec<(Reason, f64)>)>,
    },
    /// Lines with bands and vertical marks.
    Lines(LineChart),
    /// Charts one above the other.
    Panels(Vec<Plot>),
    /// A heat map.
    Heat(HeatMap),
    /// Points, one marked, with a horizontal limit.
    Scatter(ScatterChart),
}

/// Points (x, y) with one of them marked and a horizontal line at a limit.
#[derive(Clone, Debug)]
pub struct ScatterChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub points: Vec<(f64, f64)>,
    pub marked: Option<(f64, f64)>,
    /// A horizontal line (the target's value) and its label.
    pub limit: Option<(f64, String)>,
}

/// Grouped bars with interval whiskers; values multiplied by `scale`.
#[derive(Clone, Debug)]
pub struct BarChart {
    pub title: String,
    pub y_desc: String,
    pub scale: f64,
    pub bars: Vec<Bar>,
}

/// Lines with interval bands against a numeric x axis, with vertical marks.
#[derive(Clone, Debug)]
pub struct LineChart {
    pub title: String,
    pub x_desc: String,
    pub y_desc: String,
    pub lines: Vec<Line>,
    /// Vertical lines at these x, with their labels.
    pub marks: Vec<(f64, String)>,
    pub x_format: XFormat,
    /// The y values are counts: ticks only at whole numbers.
    pub y_whole: bool,
}

/// A heat map of `values[yi][xi]`; each axis is its description and its labels.
#[derive(Clone, Debug)]
pub struct HeatMap {
    pub title: String,
    pub x: (String, Vec<String>),
    pub y: (String, Vec<String>),
    pub values: Vec<Vec<Option<f64>>>,
    pub unit: String,
    /// Green for high values (coverage); otherwise green for low ones (undelivered).
    pub high_is_good: bool,
}

impl Plot {
    /// The size of the chart in pixels: [`SIZE`], or taller for stacked panels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            Plot::Panels(p) => (SIZE.0, 300 * p.len().max(2) as u32),
            _ => SIZE,
        }
    }

    fn draw<DB: DrawingBackend>(&self, area: &Area<'_, DB>) -> Result<(), String> {
        match self {
            Plot::Bars(chart) => grouped_bars(area, chart),
            Plot::Reasons { title, groups } => stacked_reasons(area, title, groups),
            Plot::Lines(chart) => lines(area, chart),
            Plot::Panels(plots) => {
                let parts = area.split_evenly((plots.len().max(1), 1));
                for (plot, part) in plots.iter().zip(parts.iter()) {
                    plot.draw(part)?;
                }
                Ok(())
            }
            Plot::Heat(map) => heat_map(area, map),
            Plot::Scatter(chart) => scatter(area, chart),
        }
    }
}

/// Points, the marked one larger and red, and a dashed-looking limit line.
pub fn scatter<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    chart: &ScatterChart,
) -> Result<(), String> {
    let finite: Vec<(f64, f64)> = chart
        .points
        .iter()
        .copied()
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .collect();
    let ys = finite
        .iter()
        .map(|p| p.1)
        .chain(chart.limit.as_ref().map(|l| l.0));
    let (y0, y1) = ys.fold((f64::MAX, f64::MIN), |(a, b), y| (a.min(y), b.max(y)));
    let xs = finite.iter().map(|p| p.0);
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let pad = |lo: f64, hi: f64| {
        if lo > hi {
            (0.0, 1.0)
        } else {
            let d = ((hi - lo) * 0.08).max(1e-6);
            (lo - d, hi + d)
        }
    };
    let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
    let mut plot = ChartBuilder::on(area)
        .caption(
            &chart.title,
            ("sans-serif", 24).into_font().style(FontStyle::Bold),
        )
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(drawing_error)?;
    plot.configure_mesh()
        .x_desc(&chart.x_desc)
        .y_desc(&chart.y_desc)
        .x_label_formatter(&|x| axis_number(*x, false))
        .y_label_formatter(&|y| axis_number(*y, false))
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(drawing_error)?;
    if let Some((y, label)) = &chart.limit {
        plot.draw_series(std::iter::once(PathElement::new(
            vec![(x0, *y), (x1, *y)],
            RED.stroke_width(2),
        )))
        .map_err(drawing_error)?;
        plot.draw_series(std::iter::once(Text::new(
            label.clone(),
            (x0 + (x1 - x0) * 0.01, *y),
            ("sans-serif", 15).into_font().color(&RED),
        )))
        .map_err(drawing_error)?;
    }
    plot.draw_series(
        finite
            .iter()
            .map(|&p| Circle::new(p, 4, RGBColor(60, 60, 60).mix(0.6).filled())),
    )
    .map_err(drawing_error)?;
    if let Some(p) = chart.marked.filter(|(x, y)| x.is_finite() && y.is_finite()) {
        plot.draw_series(std::iter::once(Circle::new(p, 9, RED.filled())))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// Draws `plot` as a PNG and as an SVG of [`SIZE`].
pub fn render(name: &str, title: &str, plot: &Plot) -> Result<Chart, ChartError> {
    register_fonts();
    let err = |message: String| ChartError {
        name: name.into(),
        message,
    };
    let (w, h) = plot.size();
    let mut pixels = vec![255u8; (w * h * 3) as usize];
    {
        let area = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        plot.draw(&area).map_err(err)?;
        area.present().map_err(|e| err(e.to_string()))?;
    }
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        area.fill(&WHITE).map_err(|e| err(e.to_string()))?;
        plot.draw(&area).map_err(err)?;
        area.present().map_err(|e| err(e.to_string()))?;
    }
    let image =
        image::RgbImage::from_raw(w, h, pixels).ok_or_else(|| err("bad pixel buffer".into()))?;
    let mut png = Vec::new();
    image
        .write_to(
            &mut std::io::Cursor::new(&mut png),
            image::ImageOutputFormat::Png,
        )
        .map_err(|e| err(e.to_string()))?;
    Ok(Chart {
        name: name.into(),
        title: title.into(),
        size: (w, h),
        png,
        svg,
    })
}

/// A drawing error as text.
fn drawing_error<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// One bar of a grouped bar chart: its group (x), series, value and interval.
#[derive(Clone, Debug)]
pub struct Bar {
    pub group: String,
    pub series: String,
    pub estimate: Option<Estimate>,
    pub colour: RGBColor,
}

/// Grouped bars with 95% interval whiskers.
pub fn grouped_bars<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    chart: &BarChart,
) -> Result<(), String> {
    let BarChart {
        title,
        y_desc,
        scale,
        bars,
    } = chart;
    let scale = *scale;
    let groups: Vec<&str> = dedup(bars.iter().map(|b| b.group.as_str()));
    let series: Vec<&str> = dedup(bars.iter().map(|b| b.series.as_str()));
    let top = bars
        .iter()
        .filter_map(|b| {
            b.estimate
                .map(|e| e.interval.map_or(e.mean, |i| i.1.max(e.mean)) * scale)
        })
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.15 } else { 1.0 };
    let n = groups.len() as f64;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 26).into_font().style(FontStyle::Bold))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..n, 0.0..top)
        .map_err(drawing_error)?;
    let labels = groups.iter().map(|g| g.to_string()).collect::<Vec<_>>();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 2)
        .x_label_formatter(&|x| category_label(&labels, *x))
        .x_label_style(("sans-serif", 18))
        .y_desc(y_desc)
        .y_label_formatter(&|y| axis_number(*y, false))
        .y_label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(drawing_error)?;
    let width = 0.8 / series.len().max(1) as f64;
    for (si, name) in series.iter().enumerate() {
        let mine: Vec<(f64, &Bar)> = bars
            .iter()
            .filter(|b| b.series == *name)
            .filter_map(|b| {
                groups
                    .iter()
                    .position(|g| *g == b.group)
                    .map(|gi| (gi as f64 + 0.1 + si as f64 * width, b))
            })
            .collect();
        let colour = mine.first().map_or(BLACK, |(_, b)| b.colour);
        chart
            .draw_series(mine.iter().filter_map(|(x, b)| {
                b.estimate.map(|e| {
                    Rectangle::new(
                        [(*x, 0.0), (*x + width * 0.92, e.mean * scale)],
                        b.colour.filled(),
                    )
                })
            }))
            .map_err(drawing_error)?
            .label(*name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], colour.filled()));
        chart
            .draw_series(mine.iter().filter_map(|(x, b)| {
                let (lo, hi) = b.estimate?.interval?;
                let mid = *x + width * 0.46;
                Some(PathElement::new(
                    vec![(mid, lo.max(0.0) * scale), (mid, hi * scale)],
                    BLACK.stroke_width(2),
                ))
            }))
            .map_err(drawing_error)?;
        chart
            .draw_series(mine.iter().filter_map(|(x, b)| {
                let (_, hi) = b.estimate?.interval?;
                Some(PathElement::new(
                    vec![
                        (*x + width * 0.3, hi * scale),
                        (*x + width * 0.62, hi * scale),
                    ],
                    BLACK.stroke_width(2),
                ))
            }))
            .map_err(drawing_error)?;
    }
    legend(&mut chart, 16)?;
    Ok(())
}

type Chart2d<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The legend of a chart's series, in its upper right corner.
fn legend<'a, DB: DrawingBackend + 'a>(
    chart: &mut Chart2d<'a, DB>,
    font_size: u32,
) -> Result<(), String> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font(("sans-serif", font_size))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(drawing_error)
}

/// The label of the category whose middle is at `x` (categories stand at 0–1, 1–2, …);
/// nothing elsewhere, so that only the middles of the categories are labelled.
fn category_label(labels: &[String], x: f64) -> String {
    let i = x.floor();
    if (x - i - 0.5).abs() < 1e-9 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

fn dedup<'a>(items: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// Stacked bars: per group, one segment per reason (same colours everywhere).
pub fn stacked_reasons<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    title: &str,
    groups: &[(String, Vec<(Reason, f64)>)],
) -> Result<(), String> {
    let top = groups
        .iter()
        .map(|(_, v)| v.iter().map(|(_, x)| x).sum::<f64>())
        .fold(0.0, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let n = groups.len() as f64;
    // The chart on the left, the legend of reasons on the right.
    let (left, right) = area.split_horizontally(SIZE.0 as i32 - 290);
    let mut chart = ChartBuilder::on(&left)
        .caption(title, ("sans-serif", 24).into_font().style(FontStyle::Bold))
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..n, 0.0..top)
        .map_err(drawing_error)?;
    let labels = groups.iter().map(|(g, _)| g.clone()).collect::<Vec<_>>();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(groups.len() * 2 + 2)
        .x_label_formatter(&|x| category_label(&labels, *x))
        .x_label_style(("sans-serif", 18))
        .y_desc("business messages per week")
        .y_label_formatter(&|y| axis_number(*y, true))
        .y_label_style(("sans-serif", 16))
        .axis_desc_style(("sans-serif", 18))
        .draw()
        .map_err(drawing_error)?;
    let present: Vec<Reason> = Reason::ALL
        .iter()
        .copied()
        .filter(|r| {
            groups
                .iter()
                .any(|(_, v)| v.iter().any(|(x, c)| x == r && *c > 0.0))
        })
        .collect();
    for reason in &present {
        let colour = reason_colour(*reason);
        let rects: Vec<Rectangle<(f64, f64)>> = groups
            .iter()
            .enumerate()
            .filter_map(|(gi, (_, v))| {
                let below: f64 = v
                    .iter()
                    .take_while(|(r, _)| r != reason)
                    .map(|(_, c)| c)
                    .sum();
                let mine = v.iter().find(|(r, _)| r == reason).map(|(_, c)| *c)?;
                (mine > 0.0).then(|| {
                    Rectangle::new(
                        [(gi as f64 + 0.2, below), (gi as f64 + 0.8, below + mine)],
                        colour.filled(),
                    )
                })
            })
            .collect();
        chart.draw_series(rects).map_err(drawing_error)?;
    }
    let font = ("sans-serif", 14).into_font();
    right
        .draw(&Text::new(
            "verdict, reason",
            (10, 70),
            font.clone().style(FontStyle::Bold),
        ))
        .map_err(drawing_error)?;
    for (i, reason) in present.iter().enumerate() {
        let y = 100 + i as i32 * 26;
        right
            .draw(&Rectangle::new(
                [(10, y), (28, y + 16)],
                reason_colour(*reason).filled(),
            ))
            .map_err(drawing_error)?;
        right
            .draw(&Text::new(
                format!("{} {}", reason.verdict(), reason),
                (36, y),
                font.clone(),
            ))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// A named line with an optional band (low, high) around it.
#[derive(Clone, Debug)]
pub struct Line {
    pub name: String,
    pub colour: RGBColor,
    pub points: Vec<(f64, f64)>,
    pub band: Option<Vec<(f64, f64, f64)>>,
}

/// Lines (with interval bands) against a numeric x axis, with optional vertical marks.
pub fn lines<DB: DrawingBackend>(area: &Area<'_, DB>, chart: &LineChart) -> Result<(), String> {
    let LineChart {
        title,
        x_desc,
        y_desc,
        lines,
        marks,
        x_format,
        y_whole,
    } = chart;
    let xs = lines.iter().flat_map(|l| l.points.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::MAX, f64::MIN), |(a, b), x| (a.min(x), b.max(x)));
    let (x0, x1) = if x0 < x1 {
        (x0, x1)
    } else {
        (x0 - 1.0, x0 + 1.0)
    };
    let top = lines
        .iter()
        .flat_map(|l| {
            l.points
                .iter()
                .map(|p| p.1)
                .chain(l.band.iter().flatten().map(|b| b.2))
        })
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let top = if top > 0.0 { top * 1.1 } else { 1.0 };
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 24).into_font().style(FontStyle::Bold))
        .margin(14)
        .x_label_area_size(44)
        .y_label_area_size(70)
        .build_cartesian_2d(x0..x1, 0.0..top)
        .map_err(drawing_error)?;
    let fmt = |x: &f64| match x_format {
        XFormat::Plain => format!("{x}"),
        XFormat::Whole(_) => {
            if (x - x.round()).abs() < 1e-9 {
                format!("{}", x.round())
            } else {
                String::new()
            }
        }
        XFormat::Labels(labels) => {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        }
        XFormat::WeekHours => {
            const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
            let d = x / 24.0;
            if (d - d.round()).abs() < 1e-9 {
                DAYS.get(d.round() as usize)
                    .map_or(String::new(), |d| format!("{d} 00:00"))
            } else {
                String::new()
            }
        }
    };
    let x_labels = match x_format {
        XFormat::Plain => 10,
        XFormat::Whole(max) => (*max as usize + 1).min(60),
        XFormat::Labels(l) => l.len() + 1,
        // Range 0..167 with at most 8 labels: plotters' step would be 20 or 50, so the
        // labels fall on days through a formatter that blanks everything else.
        XFormat::WeekHours => 200,
    };
    let mut mesh = chart.configure_mesh();
    if *x_format == XFormat::WeekHours {
        mesh.disable_x_mesh();
    }
    let y_fmt = |y: &f64| axis_number(*y, *y_whole);
    mesh.x_labels(x_labels)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&fmt)
        .y_label_formatter(&y_fmt)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(drawing_error)?;
    if *x_format == XFormat::WeekHours {
        for day in 1..7 {
            let x = f64::from(day) * 24.0;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, top)],
                    BLACK.mix(0.25).stroke_width(1),
                )))
                .map_err(drawing_error)?;
        }
    }
    for l in lines {
        if let Some(band) = &l.band {
            let mut poly: Vec<(f64, f64)> = band.iter().map(|(x, lo, _)| (*x, *lo)).collect();
            poly.extend(band.iter().rev().map(|(x, _, hi)| (*x, *hi)));
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    l.colour.mix(0.2).filled(),
                )))
                .map_err(drawing_error)?;
        }
        let colour = l.colour;
        chart
            .draw_series(LineSeries::new(
                l.points.iter().copied(),
                colour.stroke_width(3),
            ))
            .map_err(drawing_error)?
            .label(l.name.as_str())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(3))
            });
    }
    for (x, label) in marks {
        if *x >= x0 && *x <= x1 {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(*x, 0.0), (*x, top)],
                    RED.stroke_width(2),
                )))
                .map_err(drawing_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    label.to_string(),
                    (*x, top * 0.97),
                    ("sans-serif", 16).into_font().color(&RED),
                )))
                .map_err(drawing_error)?;
        }
    }
    legend(&mut chart, 15)?;
    Ok(())
}

/// A heat map of `values[yi][xi]` with labelled rows and columns.
pub fn heat_map<DB: DrawingBackend>(area: &Area<'_, DB>, map: &HeatMap) -> Result<(), String> {
    let HeatMap {
        title,
        x,
        y,
        values,
        unit,
        high_is_good,
    } = map;
    let high_is_good = *high_is_good;
    let (nx, ny) = (x.1.len(), y.1.len());
    let finite = values
        .iter()
        .flatten()
        .flatten()
        .copied()
        .filter(|v| v.is_finite());
    let (lo, hi) = finite.fold((f64::MAX, f64::MIN), |(a, b), v| (a.min(v), b.max(v)));
    let span = if hi > lo { hi - lo } else { 1.0 };
    // The colour bar on the right says which colour is which value.
    let (width, _) = area.dim_in_pixel();
    let (plot_area, legend_area) = area.split_horizontally(width.saturating_sub(150));
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(title, ("sans-serif", 24).into_font().style(FontStyle::Bold))
        .margin(16)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(0.0..nx as f64, 0.0..ny as f64)
        .map_err(drawing_error)?;
    // 1 is the better end of the scale.
    let goodness = |v: f64| {
        if high_is_good {
            (v - lo) / span
        } else {
            (hi - v) / span
        }
    };
    colour_bar(&legend_area, unit, lo, hi, high_is_good)?;
    let xl = x.1.to_vec();
    let yl = y.1.to_vec();
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(nx * 2 + 2)
        .y_labels(ny * 2 + 2)
        .x_label_formatter(&|v| category_label(&xl, *v))
        .y_label_formatter(&|v| category_label(&yl, *v))
        .x_desc(&x.0)
        .y_desc(&y.0)
        .label_style(("sans-serif", 15))
        .axis_desc_style(("sans-serif", 17))
        .draw()
        .map_err(drawing_error)?;
    for (yi, row) in values.iter().enumerate() {
        for (xi, v) in row.iter().enumerate() {
            let (colour, text) = match v {
                Some(v) if v.is_finite() => (viridis(goodness(*v)), format_value(*v, unit)),
                _ => (RGBColor(220, 220, 220), "—".to_string()),
            };
            // Dark text on the light end of the scale, white on the dark end.
            let ink = if v.is_some_and(|v| v.is_finite() && goodness(v) > 0.6) {
                BLACK
            } else {
                WHITE
            };
            let (x0, y0) = (xi as f64, yi as f64);
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y0), (x0 + 1.0, y0 + 1.0)],
                    colour.filled(),
                )))
                .map_err(drawing_error)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    text,
                    (x0 + 0.35, y0 + 0.55),
                    ("sans-serif", 16).into_font().color(&ink),
                )))
                .map_err(drawing_error)?;
        }
    }
    Ok(())
}

/// Viridis, a perceptually uniform colour scale (equal steps of `t` look like equal steps),
/// from dark purple at 0 to yellow at 1, interpolated between nine of its colours.
pub fn viridis(t: f64) -> RGBColor {
    const STOPS: [(u8, u8, u8); 9] = [
        (68, 1, 84),
        (71, 44, 122),
        (59, 81, 139),
        (44, 113, 142),
        (33, 144, 141),
        (39, 173, 129),
        (92, 200, 99),
        (170, 220, 50),
        (253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 8.0;
    let i = (x.floor() as usize).min(7);
    let f = x - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |p: u8, q: u8| (f64::from(p) + (f64::from(q) - f64::from(p)) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The colour bar of a heat map: the scale from the worse value (bottom) to the better one
/// (top), labelled with the values at both ends and the middle.
fn colour_bar<DB: DrawingBackend>(
    area: &Area<'_, DB>,
    unit: &str,
    lo: f64,
    hi: f64,
    high_is_good: bool,
) -> Result<(), String> {
    let (_, height) = area.dim_in_pixel();
    let (top, bottom) = (70i32, height as i32 - 70);
    let steps = 40;
    let step = f64::from(bottom - top) / f64::from(steps);
    for k in 0..steps {
        // k = 0 at the top: the better end.
        let t = 1.0 - f64::from(k) / f64::from(steps - 1);
        let y0 = top + (f64::from(k) * step) as i32;
        let y1 = top + (f64::from(k + 1) * step).ceil() as i32;
        area.draw(&Rectangle::new([(10, y0), (34, y1)], viridis(t).filled()))
            .map_err(drawing_error)?;
    }
    let (better, worse) = if high_is_good { (hi, lo) } else { (lo, hi) };
    let label = |v: f64| {
        if lo <= hi {
            format_value(v, unit)
        } else {
            "—".into()
        }
    };
    let font = ("sans-serif", 15).into_font();
    for (text, y) in [
        (format!("{} (better)", label(better)), top),
        (label((lo + hi) / 2.0), (top + bottom) / 2),
        (format!("{} (worse)", label(worse)), bottom - 14),
    ] {
        area.draw(&Text::new(text, (40, y), font.clone()))
            .map_err(drawing_error)?;
    }
    Ok(())
}

/// An axis number: whole numbers without decimals (and only those where `whole`: counts
/// have no half operators), large ones rounded, small ones with one decimal.
pub fn axis_number(v: f64, whole: bool) -> String {
    let is_whole = (v - v.round()).abs() < 1e-9;
    if whole && !is_whole {
        String::new()
    } else if is_whole || v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A value written for people: ratios in percent, other units as they are; an infinite
/// time is `never`.
pub fn format_value(v: f64, unit: &str) -> String {
    if v.is_infinite() {
        return "never".to_string();
    }
    match unit {
        "ratio" => format!("{:.1}%", v * 100.0),
        _ if v.abs() >= 100.0 => format!("{v:.0}"),
        _ => format!("{v:.2}"),
    }
}

/// A metric in words, for titles and axes: `unanswered_rate` is "requests unanswered".
pub fn metric_words(metric: &str) -> String {
    if let Some(t) = metric.strip_prefix("service_level_") {
        return format!("requests picked up within {t}");
    }
    if let Some(t) = metric.strip_prefix("answered_within_") {
        return format!("requests answered within {t}");
    }
    let words = match metric {
        "unanswered_rate" => "requests unanswered",
        "abandon_rate" => "requests given up",
        "lost_rate" => "conversations lost",
        "undelivered_rate_operator" => "operator answers undelivered",
        "undelivered_rate_bot" => "bot messages undelivered",
        "violations_per_week" => "violations per week",
        "coverage" => "auto-reply coverage",
        "rescued" => "rescued by the warning",
        "first_response_p50" => "first response, median",
        "first_response_p90" => "first response, 90th percentile",
        "first_response_p99" => "first response, 99th percentile",
        "mean_wait" => "mean wait for an operator",
        "occupancy" => "operator occupancy",
        other => return other.replace('_', " "),
    };
    words.to_string()
}

/// A summary row in words: a channel's name, or "all channels".
pub fn row_words(row: &str) -> String {
    match Channel::from_bytes(row.as_bytes()) {
        Some(c) => channel_label(c).to_string(),
        None => "all channels".to_string(),
    }
}

/// `text` with its first letter in capitals.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Whether a higher value of the metric is the better one (coverage, rescued, the response
/// shares at a threshold); for the others lower is better.
pub fn higher_is_better(metric: &str) -> bool {
    matches!(metric, "coverage" | "rescued")
        || metric.starts_with("service_level_")
        || metric.starts_with("answered_within_")
}

/// The unit of a metric (the response shares at a threshold are ratios).
pub fn unit_of(metric: &str) -> &'static str {
    if metric.starts_with("service_level_") || metric.starts_with("answered_within_") {
        return "ratio";
    }
    METRICS
        .iter()
        .find(|m| m.name == metric)
        .map_or("", |m| m.unit)
}

/// How a channel is named in charts.
pub fn channel_label(c: Channel) -> &'static str {
    match c {
        Channel::WhatsApp => "WhatsApp",
        Channel::Facebook => "Facebook",
        Channel::Instagram => "Instagram",
    }
}
