"""Commands that run the service: `serve` (web app and scheduler), `web`, and `run` a flow now."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated, Any

import typer

from kehoach_flow.cli.app import (
    JsonOption,
    app,
    console,
    engine_of,
    out,
    parse_date,
    print_json,
    settings_of,
)


@app.command()
def serve(
    ctx: typer.Context,
    load: Annotated[
        bool, typer.Option("--load/--no-load", help="Nạp lại definitions/ khi khởi động.")
    ] = True,
) -> None:
    """Chạy dịch vụ trên một máy: trang web và bộ lập lịch chạy các luồng theo deploy/prefect.yaml.

    Theo dõi tiến độ 06:30 hằng ngày, nhắc việc 07:30 các ngày làm việc, soạn báo cáo 07:00
    ngày sau mỗi ngày chốt số liệu. Lịch bị lỡ khi máy tắt được chạy một lần khi khởi động.
    Các luồng chạy trên một Prefect server do dịch vụ tự khởi động và theo dõi (cổng
    KEHOACH_PREFECT_PORT, mặc định 4200). Dừng bằng Ctrl+C hoặc SIGTERM (việc đang chạy được
    làm xong, Prefect server được dừng theo).

    Ví dụ: kehoach serve
    """

    import uvicorn

    from kehoach_flow.orchestration.schedules import read_jobs
    from kehoach_flow.orchestration.service import (
        Service,
        ServiceLock,
        flow_runner,
        prefect_home,
        prepare_prefect,
    )
    from kehoach_flow.prefect_server import PrefectSupervisor
    from kehoach_flow.timefmt import LogFormatter
    from kehoach_flow.web.app import create_app

    settings = settings_of(ctx)
    jobs = read_jobs(settings.schedule_file)
    if not load:
        jobs = [j for j in jobs if j.flow != "load_definitions"]
    engine = engine_of(ctx)  # a missing or read-only database is refused before anything
    lock = ServiceLock(settings.ensure_data_dir(), settings.timezone)
    lock.acquire()
    prefect = PrefectSupervisor(
        prefect_home(settings),
        settings.prefect_port,
        start_timeout=settings.prefect_start_timeout,
        start_delay=settings.prefect_start_delay,
    )
    try:
        # Every flow of this process goes to the service's own server: never a temporary one.
        prepare_prefect(settings, api_url=prefect.api_url)
        handler = logging.StreamHandler()
        handler.setFormatter(LogFormatter("%(asctime)s %(name)s %(message)s", settings))
        logging.basicConfig(level=logging.INFO, handlers=[handler])
        for noisy in ("httpx", "apscheduler", "alembic"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        for sink in logging.getLogger().handlers:
            sink.addFilter(_prefect_run_chatter)
        grace = timedelta(hours=settings.misfire_grace_hours)
        service = Service(settings, engine, jobs, flow_runner(settings), grace, prefect)
        config = uvicorn.Config(
            create_app(settings, engine, service),
            host=settings.host,
            port=settings.port,
            log_level="warning",
        )
        server = uvicorn.Server(config)
        service.on_failure = lambda: setattr(server, "should_exit", True)
        prefect.start()  # a port taken by another program: one line, exit 2
        try:
            out.print(
                f"kehoach serve: http://{settings.host}:{settings.port}, Prefect "
                f"{prefect.ui_url}, dữ liệu {settings.data_dir}, "
                f"lịch {settings.schedule_file} ({len(jobs)} luồng)",
                markup=False,
            )
            _run_until_signalled(server)
        finally:
            _drain_prefect_clients()
            prefect.stop()
        if service.failure:
            console(stderr=True, soft_wrap=True).print(f"Lỗi: {service.failure}", markup=False)
            raise typer.Exit(1)
        out.print(
            "kehoach serve đã dừng: việc đang chạy đã xong, hộp thư đi đã lưu, "
            "Prefect server đã dừng.",
            markup=False,
        )
    finally:
        lock.release()


def _drain_prefect_clients(timeout: float = 10.0) -> None:
    """Send the flow runs' last logs and events while the server still answers: left for
    the interpreter's exit, they would wait for a server already stopped."""
    import sys

    if "prefect" not in sys.modules:
        return
    try:
        from prefect.events.worker import EventsWorker
        from prefect.logging.handlers import APILogWorker

        APILogWorker.drain_all(timeout=timeout)
        EventsWorker.drain_all(timeout=timeout)
    except Exception as exc:  # stopping goes on whatever Prefect says
        logging.getLogger("kehoach.serve").warning("Prefect: %s", exc)


@app.command()
def web(
    ctx: typer.Context,
    workers: Annotated[
        int, typer.Option(min=1, max=64, help="Số tiến trình phục vụ (mỗi nhân CPU một).")
    ] = 1,
) -> None:
    """Chỉ chạy trang web (khi các luồng chạy trên Prefect server và worker).

    Ví dụ: kehoach web --workers 2   (đặt KEHOACH_DATABASE_URL trỏ tới cơ sở dữ liệu chung trên Postgres)
    """
    import uvicorn

    from kehoach_flow.web.app import create_app

    settings = settings_of(ctx)
    engine = engine_of(ctx)
    out.print(f"kehoach web: http://{settings.host}:{settings.port}", markup=False)
    if workers > 1:  # each worker builds the app from the same KEHOACH_* environment
        uvicorn.run(
            "kehoach_flow.web.app:app_from_env",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=workers,
            log_level="warning",
        )
        return
    config = uvicorn.Config(
        create_app(settings, engine), host=settings.host, port=settings.port, log_level="warning"
    )
    _run_until_signalled(uvicorn.Server(config))


class _Stopped(Exception):
    pass


def _run_until_signalled(server: Any) -> None:
    """Run uvicorn; SIGTERM or Ctrl+C shut it down gracefully (the app's lifespan stops the
    scheduler, waiting for a running job), then the command ends with exit code 0. Uvicorn
    re-raises the signal it caught after its shutdown; our handler turns that into a return."""
    import signal

    def stopped(signum: int, frame: Any) -> None:
        raise _Stopped

    previous = {sig: signal.signal(sig, stopped) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.run()
    except _Stopped:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command()
def run(
    ctx: typer.Context,
    flow: Annotated[
        str,
        typer.Argument(help="track_status, send_reminders, build_report hoặc load_definitions."),
    ],
    plan: Annotated[str | None, typer.Option(help="Chỉ kế hoạch này.")] = None,
    on: Annotated[
        str | None, typer.Option("--date", help="Ngày chạy YYYY-MM-DD (mặc định: hôm nay).")
    ] = None,
    period: Annotated[
        str | None, typer.Option(help="build_report: kỳ q1..q4, 6m, 9m, year.")
    ] = None,
    year: Annotated[int | None, typer.Option(help="build_report: năm báo cáo.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Chạy ngay một luồng (như lịch chạy nó): trên Prefect server của kehoach serve khi
    dịch vụ đang chạy, nếu không thì trên một Prefect server tạm trong lệnh này.

    Ví dụ: kehoach run send_reminders --date 2024-12-20
    """
    import os

    from kehoach_flow.db.queries import list_plans
    from kehoach_flow.errors import NotFoundError
    from kehoach_flow.orchestration.schedules import find_job, read_jobs
    from kehoach_flow.orchestration.service import flow_runner, prepare_prefect

    settings = settings_of(ctx)
    job = find_job(read_jobs(settings.schedule_file), flow)
    day = parse_date(on)
    engine = engine_of(ctx)  # refuses an outdated schema before Prefect starts
    if plan is not None and plan not in {p["key"] for p in list_plans(engine)}:
        raise NotFoundError("kế hoạch", plan, "xem danh sách bằng `kehoach plans`")
    overrides: dict[str, Any] = {"plan": plan, "day": day.isoformat() if day else None}
    if job.flow == "build_report":
        overrides |= {"period": period, "year": year}
    elif period or year:
        raise typer.BadParameter(
            "--period và --year chỉ dùng với build_report", param_hint="--period"
        )
    err = console(stderr=True, soft_wrap=True)
    api_url, said = _prefect_for_run(settings)
    prepare_prefect(settings, api_url=api_url)
    err.print(said, markup=False)
    debug = bool(os.environ.get("KEHOACH_DEBUG"))
    try:
        with _quiet_prefect(not debug):
            summary = flow_runner(settings)(job, **overrides)
    except Exception as exc:
        if debug:
            raise
        _say_failure(err, job.flow, exc, as_json)
        raise typer.Exit(1) from None
    if as_json:
        print_json(summary)
        return
    out.print(json.dumps(summary, ensure_ascii=False, indent=2, default=str), markup=False)


def _prefect_for_run(settings: Any) -> tuple[str | None, str]:
    """Which Prefect server `run` uses, and the line that says so: the one PREFECT_API_URL
    names, else the service's when it answers, else a temporary one in this process."""
    import os

    from kehoach_flow.prefect_server import api_url_of, is_healthy

    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        return None, f"Prefect: {configured} (PREFECT_API_URL)"
    service = api_url_of(settings.prefect_port)
    if is_healthy(service):
        return service, f"Prefect: máy chủ của kehoach serve, {service.removesuffix('/api')}"
    return None, (
        "Prefect: máy chủ tạm trong lệnh này (kehoach serve không chạy trên cổng "
        f"{settings.prefect_port}; khởi động mất 10-20 giây)"
    )


def _say_failure(err: Any, flow: str, exc: Exception, as_json: bool) -> None:
    """One line per failed plan (after what the other plans did), or one line for the run."""
    from kehoach_flow.orchestration.flowkit import PlansFailedError

    if isinstance(exc, PlansFailedError) and exc.failed:
        if exc.summary:
            if as_json:
                print_json(exc.summary)
            else:
                text = json.dumps(exc.summary, ensure_ascii=False, indent=2, default=str)
                out.print(text, markup=False)
        for plan_key, reason in exc.failed.items():
            err.print(f"Lỗi: kế hoạch {plan_key}: {reason}", markup=False)
        return
    said = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    err.print(
        f"Lỗi: luồng {flow} không chạy được: {said} (đặt KEHOACH_DEBUG=1 để xem chi tiết)",
        markup=False,
    )


def _prefect_run_chatter(record: logging.LogRecord) -> bool:
    """Keep Prefect's English run lines ("Finished in state Completed()") out of the service
    log, whose lines are ours and Vietnamese ("daily xong"); they still reach the Prefect UI
    (its own handler on those loggers). Its warnings and errors still show."""
    chatter = record.name.startswith(("prefect.flow_runs", "prefect.task_runs"))
    return not (chatter and record.levelno < logging.WARNING)


@contextmanager
def _quiet_prefect(quiet: bool) -> Iterator[None]:
    """Prefect's own console lines (its tracebacks among them) off while a flow runs: the
    command says what failed itself."""
    import os
    import sys

    if not quiet:
        yield
        return
    if "prefect" not in sys.modules:  # Prefect reads its settings once, on import
        os.environ["PREFECT_LOGGING_LEVEL"] = "CRITICAL"
    loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name == "prefect" or name.startswith("prefect.")
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@app.command()
def simulate(
    ctx: typer.Context,
    plan: Annotated[str, typer.Option(help="Khóa kế hoạch.")],
    start: Annotated[str, typer.Option("--from", help="Ngày đầu YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Ngày cuối YYYY-MM-DD.")],
    seed: Annotated[
        int, typer.Option(help="Hạt giống ngẫu nhiên (cùng hạt giống, cùng kết quả).")
    ] = 1,
    out_dir: Annotated[
        str | None,
        typer.Option(
            "--out",
            help="Thư mục bản sao (mặc định .kehoach/simulate/KẾ_HOẠCH/); bị xóa trước khi chạy.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Chạy thử cả năm trong một phút, trên một bản sao dữ liệu: theo dõi, nhắc việc, báo cáo.

    Các đơn vị cập nhật giả lập (phần lớn đúng hạn, một số trễ, một số không cập nhật); thư
    nhắc việc ghi vào hộp thư đi dạng tệp, mỗi kỳ báo cáo một bản dự thảo. Dữ liệu thật
    không bị đụng đến.

    Ví dụ: kehoach simulate --plan qt-skhcn-2024-do-luong --from 2024-01-01 --to 2024-12-31
    """
    from pathlib import Path

    from kehoach_flow.orchestration.simulate import simulate as run_simulation

    settings = settings_of(ctx)
    first, last = parse_date(start), parse_date(end)
    assert first is not None and last is not None
    work = Path(out_dir) if out_dir else settings.ensure_data_dir() / "simulate" / plan
    summary = run_simulation(settings, plan, first, last, seed, work)
    if as_json:
        print_json(summary.as_dict())
        return
    out.print(
        f"Mô phỏng {plan} từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}: {summary.days} ngày, "
        f"{summary.working_days} ngày làm việc, {summary.updates} lần đơn vị cập nhật "
        f"({', '.join(f'{k} {n}' for k, n in summary.behaviours.items())} nhiệm vụ).",
        markup=False,
    )
    out.print(f"Thư nhắc việc: {sum(summary.mails.values())}", markup=False)
    for recipient, count in summary.mails.most_common():
        out.print(f"  {recipient}: {count}", markup=False)
    out.print(f"Báo cáo đã soạn: {len(summary.reports)}", markup=False)
    for report in summary.reports:
        out.print(
            f"  {report['title']} (chốt {report['cutoff']}): {report['files'][0]}", markup=False
        )
    out.print(f"Tình hình ngày {last:%d/%m/%Y}:", markup=False)
    for label, count in summary.categories.items():
        out.print(f"  {label}: {count}", markup=False)
    if summary.reviews or summary.awaiting_review:
        out.print(
            f"Xác nhận hoàn thành: {summary.reviews['xác nhận']} lần xác nhận, "
            f"{summary.reviews['trả lại']} lần trả lại; còn chờ xác nhận: "
            f"{summary.awaiting_review} nhiệm vụ (tính là đang thực hiện).",
            markup=False,
        )
    out.print(
        f"Bản sao: {summary.work_dir} (hộp thư đi: {summary.work_dir / 'outbox'})", markup=False
    )
