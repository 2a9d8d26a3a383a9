package org.retinanet.experiments.train.hooks;

import org.retinanet.api.train.TrainingContext;
import org.retinanet.api.train.TrainingHook;
import org.retinanet.experiments.train.LrSchedule;
import org.retinanet.experiments.train.TrainingLoop;

/** Sets each iteration's learning rate from the schedule (mmengine's ParamSchedulerHook). */
public final class LrScheduleHook implements TrainingHook {

    private final LrSchedule schedule;
    private final TrainingLoop loop;

    public LrScheduleHook(LrSchedule schedule, TrainingLoop loop) {
        this.schedule = schedule;
        this.loop = loop;
    }

    @Override
    public void beforeStep(TrainingContext run) {
        loop.setLearningRate(schedule.lr(run.iteration(), run.epoch()));
    }
}
